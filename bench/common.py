"""Shared pieces of the benchmarks: timing with repeats and the table row."""

import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class BenchRow:
    bench: str
    measure: str
    value: str
    target: str = ""
    met: bool | None = None

    def markdown(self) -> str:
        met = {True: "yes", False: "**no**", None: ""}[self.met]
        return f"| {self.bench} | {self.measure} | {self.value} | {self.target} | {met} |"


def median_seconds(function: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``function`` over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def machine_description() -> str:
    cpus = os.cpu_count() or 0
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(meminfo.readline().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except OSError:
        memory = "? GiB"
    return f"{platform.node()}: {cpus} CPUs, {memory}, {platform.machine()}"


def python_speed_seconds() -> float:
    """Median time of a 10-million-step pure-Python loop: a yardstick for comparing tables made
    on different machines, whose speed differs more than the code between two runs."""

    def loop() -> None:
        total = 0
        for step in range(10_000_000):
            total += step

    return median_seconds(loop, repeat=3, warmup=0)
