"""Charts drawn on the server as SVG: no JavaScript, no library download, readable on old PCs and phones, and
allowed by the Content-Security-Policy (presentation attributes, no inline styles). Each chart carries a title
and a description for screen readers; the numbers are always in a table next to it as well."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK, MUTED, LINE = "#1b1f24", "#4a5260", "#c9d0da"
SERIES = ("#0b4f8a", "#1e6b2f", "#a11d1d", "#8a5a00")


def _num(n: float) -> str:
    return f"{n:,.0f}".replace(",", ".")


def bars(rows: list[tuple[str, float]], *, title: str, chart_id: str, limit: int = 15, width: int = 560,
         color: str = SERIES[0]) -> SafeString:
    """Horizontal bars, largest first (top `limit`), each labelled with its value."""
    rows = sorted(rows, key=lambda r: -r[1])[:limit]
    bar_h, gap, label_w, value_w = 18, 6, 170, 70
    height = max(1, len(rows)) * (bar_h + gap) + 10
    top = max((v for _, v in rows), default=0) or 1
    span = width - label_w - value_w
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bars" id="{escape(chart_id)}" role="img" '
             f'viewBox="0 0 {width} {height}" width="100%" aria-labelledby="{escape(chart_id)}-t">'
             f'<title id="{escape(chart_id)}-t">{escape(title)}</title>']
    for i, (label, value) in enumerate(rows):
        y = 5 + i * (bar_h + gap)
        w = max(1.0, span * value / top) if value else 0
        short = label if len(label) <= 26 else label[:25] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="12" fill="{INK}">'
                     f'{escape(short)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color}"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" font-size="12" fill="{INK}">{_num(value)}</text>')
    if not rows:
        parts.append(f'<text x="10" y="20" font-size="12" fill="{MUTED}">—</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above


def columns(labels: list[str], series: list[tuple[str, list[float]]], *, title: str, chart_id: str,
            width: int = 640, height: int = 220) -> SafeString:
    """Grouped columns per label (months, days), one colour per series, with a legend."""
    left, bottom, top_pad = 44, 30, 24
    plot_w, plot_h = width - left - 8, height - bottom - top_pad
    peak = max((v for _, vals in series for v in vals), default=0) or 1
    n, k = max(1, len(labels)), max(1, len(series))
    slot = plot_w / n
    bar_w = min(36.0, max(1.0, (slot - 2) / k))
    inset = (slot - bar_w * k) / 2  # bars centred in their slot when few
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
             f'viewBox="0 0 {width} {height}" width="100%" aria-labelledby="{escape(chart_id)}-t">'
             f'<title id="{escape(chart_id)}-t">{escape(title)}</title>']
    for frac in (0, 0.5, 1):
        y = top_pad + plot_h * (1 - frac)
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="{LINE}"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10" fill="{MUTED}">'
                     f'{_num(peak * frac)}</text>')
    for s, (_name, values) in enumerate(series):
        color = SERIES[s % len(SERIES)]
        for i, v in enumerate(values):
            h = plot_h * v / peak
            x = left + i * slot + inset + s * bar_w
            parts.append(f'<rect x="{x:.1f}" y="{top_pad + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{color}"><title>{escape(labels[i])}: {_num(v)}</title></rect>')
    step = max(1, n // 12)
    for i, label in enumerate(labels):
        if i % step == 0:
            x = left + i * slot + slot / 2
            parts.append(f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle" font-size="10" '
                         f'fill="{MUTED}">{escape(label)}</text>')
    x = left
    for s, (name, _values) in enumerate(series):
        color = SERIES[s % len(SERIES)]
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{color}"/>'
                     f'<text x="{x + 14}" y="13" font-size="11" fill="{INK}">{escape(name)}</text>')
        x += 16 + 7 * len(name) + 12
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above


# A tile map: each of the 38 provinces one square, placed roughly where it lies (west → east, north → south).
PROVINCE_TILES: dict[str, tuple[int, int, str]] = {
    "11": (0, 0, "ACEH"), "12": (1, 1, "SUMUT"), "14": (2, 2, "RIAU"), "21": (3, 2, "KEPRI"),
    "13": (1, 2, "SUMBAR"), "15": (2, 3, "JAMBI"), "16": (3, 4, "SUMSEL"), "19": (4, 3, "BABEL"),
    "17": (2, 4, "BENGKULU"), "18": (3, 5, "LAMPUNG"), "36": (4, 6, "BANTEN"), "31": (5, 6, "DKI"),
    "32": (5, 7, "JABAR"), "33": (6, 7, "JATENG"), "34": (6, 8, "DIY"), "35": (7, 7, "JATIM"),
    "51": (8, 7, "BALI"), "52": (9, 7, "NTB"), "53": (10, 7, "NTT"), "61": (5, 3, "KALBAR"),
    "62": (6, 4, "KALTENG"), "63": (7, 5, "KALSEL"), "64": (7, 3, "KALTIM"), "65": (7, 2, "KALTARA"),
    "71": (10, 2, "SULUT"), "75": (9, 3, "GORONTALO"), "72": (9, 4, "SULTENG"), "76": (8, 4, "SULBAR"),
    "73": (8, 5, "SULSEL"), "74": (9, 5, "SULTRA"), "82": (11, 3, "MALUT"), "81": (11, 5, "MALUKU"),
    "96": (12, 3, "PB DAYA"), "92": (12, 4, "PAPUA BRT"), "94": (13, 4, "PAPUA TGH"), "91": (14, 4, "PAPUA"),
    "95": (13, 5, "PAPUA PEG"), "93": (14, 6, "PAPUA SEL"),
}
SHADES = ("#eef3f8", "#c6d8ea", "#8fb3d6", "#4f86bd", "#0b4f8a")


def province_map(counts: dict[str, float], names: dict[str, str], *, title: str, chart_id: str) -> SafeString:
    """Provinces as tiles shaded by count (five steps from the largest), each with its name and number."""
    size, gap = 44, 3
    width, height = 15 * (size + gap) + 10, 9 * (size + gap) + 30
    peak = max(counts.values(), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart map" id="{escape(chart_id)}" role="img" '
             f'viewBox="0 0 {width} {height}" width="100%" aria-labelledby="{escape(chart_id)}-t">'
             f'<title id="{escape(chart_id)}-t">{escape(title)}</title>']
    for code, (col, row, short) in PROVINCE_TILES.items():
        value = counts.get(code, 0)
        shade = SHADES[min(4, int(4 * value / peak + 0.999)) if value else 0]
        x, y = 5 + col * (size + gap), 5 + row * (size + gap)
        text = INK if shade in SHADES[:3] else "#ffffff"
        parts.append(f'<g data-province="{code}"><rect x="{x}" y="{y}" width="{size}" height="{size}" rx="4" '
                     f'fill="{shade}" stroke="{LINE}"><title>{escape(names.get(code, short))}: {_num(value)}'
                     f'</title></rect>'
                     f'<text x="{x + size / 2}" y="{y + 18}" text-anchor="middle" font-size="8" fill="{text}">'
                     f'{escape(short[:9])}</text>'
                     f'<text x="{x + size / 2}" y="{y + 33}" text-anchor="middle" font-size="10" font-weight="700" '
                     f'fill="{text}">{_num(value)}</text></g>')
    y = height - 18
    for i, shade in enumerate(SHADES):
        parts.append(f'<rect x="{5 + i * 60}" y="{y}" width="56" height="12" fill="{shade}" stroke="{LINE}"/>')
        low = 0 if i == 0 else peak * (i - 1) / 4
        parts.append(f'<text x="{5 + i * 60 + 28}" y="{y + 10}" text-anchor="middle" font-size="8" '
                     f'fill="{INK if i < 3 else "#ffffff"}">{"0" if i == 0 else "> " + _num(low)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above
