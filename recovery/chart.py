"""The trends chart, drawn on the server as SVG geometry the template writes out: no
third-party script. The same numbers fill the data table beside it."""

from dataclasses import dataclass

WIDTH = 320
HEIGHT = 160
PAD_LEFT = 28
PAD_RIGHT = 8
PAD_TOP = 10
PAD_BOTTOM = 20


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int
    day: object


@dataclass(frozen=True)
class Panel:
    title: str
    lowest: int
    highest: int
    lines: list[str]  # polyline "x,y x,y" strings, broken where a day has no check-in
    points: list[Point]
    slips: list[float]  # x of each day a goal was started again
    gridlines: list[tuple[float, int]]  # (y, value)
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = PAD_LEFT
    plot_right: int = WIDTH - PAD_RIGHT
    plot_top: int = PAD_TOP
    plot_bottom: int = HEIGHT - PAD_BOTTOM


def _x(index: int, count: int) -> float:
    span = WIDTH - PAD_LEFT - PAD_RIGHT
    return round(PAD_LEFT + (span * index / (count - 1) if count > 1 else span / 2), 1)


def _y(value: float, lowest: int, highest: int) -> float:
    span = HEIGHT - PAD_TOP - PAD_BOTTOM
    return round(PAD_TOP + span * (highest - value) / (highest - lowest), 1)


def panel(title: str, trend_days, field: str, lowest: int, highest: int, grid_step: int) -> Panel:
    count = len(trend_days)
    points, lines, run = [], [], []
    for index, entry in enumerate(trend_days):
        value = getattr(entry, field)
        if value is None:
            if run:
                lines.append(run)
            run = []
            continue
        point = Point(_x(index, count), _y(value, lowest, highest), value, entry.day)
        points.append(point)
        run.append(point)
    if run:
        lines.append(run)
    return Panel(
        title=title, lowest=lowest, highest=highest,
        lines=[" ".join(f"{p.x},{p.y}" for p in line) for line in lines if len(line) > 1],
        points=points,
        slips=[_x(index, count) for index, entry in enumerate(trend_days) if entry.slip],
        gridlines=[(_y(v, lowest, highest), v) for v in range(lowest, highest + 1, grid_step)],
    )  # fmt: skip
