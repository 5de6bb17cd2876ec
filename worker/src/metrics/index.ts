export {
  EmfMetrics,
  type EmfMetricsOptions,
  type JobMetrics,
  type MetricsWriter,
  metricNames,
} from "./emf.js";
