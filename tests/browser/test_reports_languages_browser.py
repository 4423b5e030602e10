"""In a real browser: the Arabic dashboard draws its charts right to left (legend, tooltips, the months' axis
from the right), with the page's words; the export links' note speaks the page's language."""
from __future__ import annotations

import pytest

from tests.helpers import screenshot, sign_in

pytestmark = pytest.mark.browser


def test_arabic_dashboard_charts_read_right_to_left(new_page, people, scenario):
    page = new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, people.coordinator.email)
    page.goto("/dashboard?lang=ar")
    page.wait_for_function("document.querySelectorAll('.chart-drawn').length >= 4")
    assert page.locator("html").get_attribute("dir") == "rtl"
    charts = page.evaluate("""() => [...document.querySelectorAll('canvas[data-chart]')].map((canvas) => {
        const chart = window.Chart.getChart(canvas);
        return {legend: chart.options.plugins.legend.rtl, tooltip: chart.options.plugins.tooltip.rtl,
                reverse: chart.options.scales.x.reverse, yPosition: chart.options.scales.y.position,
                labels: chart.data.datasets.map((d) => d.label)};
    })""")
    assert charts and all(c["legend"] and c["tooltip"] and c["reverse"] and c["yPosition"] == "right"
                          for c in charts)
    assert any("الطلبات" in c["labels"] for c in charts)
    screenshot(page, "dashboard-arabic")
    page.goto("/dashboard?lang=en")
    page.wait_for_function("document.querySelectorAll('.chart-drawn').length >= 4")
    assert page.evaluate("() => window.Chart.getChart(document.querySelector('canvas[data-chart]'))"
                         ".options.scales.x.reverse") is not True
    page.goto("/matrix?lang=fr")
    link = page.locator("a[data-busy-link]").first
    link.evaluate("(a) => { a.removeAttribute('download'); a.href = '#'; }")  # no real download needed
    link.click()
    assert page.locator(".busy-note").inner_text().strip() == "préparation…"
    assert errors == []
