"""What the benchmark ran on: CPU, cores, memory, OS and tool versions."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata

from media_pipeline.pipeline import ffmpeg


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return 0.0


def _os_name() -> str:
    try:
        with open("/etc/os-release", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"') + f" ({platform.release()})"
    except OSError:
        pass
    return platform.platform()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe() -> dict:
    """A JSON-ready description of this machine and the tools the benchmark uses."""
    banner = subprocess.run(
        [ffmpeg.binary(), "-hide_banner", "-version"], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": _os_name(),
        "python": platform.python_version(),
        "ffmpeg": banner[0] if banner else "unknown",
        "ffmpeg_binary": ffmpeg.binary(),
        "numpy": _version("numpy"),
        "scenedetect": _version("scenedetect"),
        "opencv": _version("opencv-python-headless")
        + " (opencv-python "
        + _version("opencv-python")
        + ")",
    }
