"""Pages in a real headless browser: Debian's chromium driven by Playwright (never `playwright install`)."""

from __future__ import annotations

import os
import re
from pathlib import Path

CHROMIUM = os.environ.get("LAYOUT_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


class Page:
    """An offline page with every http(s) request aborted, and what went wrong on it."""

    def __init__(self, browser, html: Path, width: int = 1400):
        self.context = browser.new_context(offline=True, viewport={"width": width, "height": 800})
        self.aborted: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []

        def abort(route):
            self.aborted.append(route.request.url)
            route.abort()

        self.context.route(re.compile(r"^https?://"), abort)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(html.resolve().as_uri())
        self.page.wait_for_function("window.layoutMaps !== undefined")
        self.ids = self.page.evaluate(
            "Object.fromEntries(Object.entries(layoutMaps).map(([k, m]) => [k, m.getContainer().id]))"
        )

    def map(self, role: str):
        return self.page.locator(f"#{self.ids[role]}")

    def count(self, role: str, cls: str) -> int:
        return self.map(role).locator(f".leaflet-overlay-pane svg path.leaflet-interactive.{cls}").count()

    def hover(self, role: str, lat: float, lon: float):
        box = self.map(role).bounding_box()
        x, y = self.page.evaluate(
            "([r, lat, lon]) => { const p = layoutMaps[r].latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
            [role, lat, lon],
        )
        tip = self.map(role).locator(".leaflet-tooltip")
        self.page.mouse.move(1, 1)  # over the page header: closes any open tooltip (it fades out)
        self.page.wait_for_function(
            "id => !document.querySelector('#' + id + ' .leaflet-tooltip')", arg=self.ids[role], timeout=3000
        )
        # one jump (no tooltips of regions on the way), then a pixel within the region
        self.page.mouse.move(box["x"] + x, box["y"] + y)
        self.page.mouse.move(box["x"] + x + 1, box["y"] + y + 1)
        tip.first.wait_for(state="visible", timeout=3000)
        assert tip.count() == 1
        return tip.first

    def fold_legends(self):
        """Fold every map's legend out of the way of the regions under it (a click on its title)."""
        self.legends(False)

    def open_legends(self):
        """Unfold every map's legend (a legend starts folded where, open, it would hide a region)."""
        self.legends(True)

    def legends(self, open_: bool):
        for role in self.ids:
            legend = self.map(role).locator(".layout-legend")
            if legend.locator("details").evaluate("el => el.open") != open_:
                legend.locator("summary").click()

    def control(self, role: str):
        """The map's layer control, expanded (a collapsed one opens on hover)."""
        control = self.map(role).locator(".leaflet-control-layers")
        control.hover()
        control.locator(".leaflet-control-layers-list").wait_for(state="visible", timeout=3000)
        return control

    def check_clean(self):
        assert self.errors == [], self.errors
        assert self.aborted == [], f"the page tried the network: {self.aborted}"
        assert self.dialogs == [], f"a dialog fired (escaped text executed?): {self.dialogs}"

    def close(self):
        self.context.close()
