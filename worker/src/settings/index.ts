export {
  defaultSettings,
  resolveSettings,
  type Settings,
  SettingsError,
  settingsEnv,
  settingsFromEnv,
  validateSettings,
} from "./settings.js";
