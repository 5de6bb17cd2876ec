"""Loaded by every moto process the project starts (test/emulator/moto.ts puts this folder
on PYTHONPATH). The benchmark's own sitecustomize, found first, imports the same patches."""

import longbow_moto_patches  # noqa: F401
