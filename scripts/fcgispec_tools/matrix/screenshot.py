"""A PNG of the top of the matrix page as Chromium renders it."""
from . import browser

HEIGHT = 1100
MIN_WIDTH = 800


def save(html_path, png_path):
    """Widens the window until the whole table fits, so that every backend
    column is in the picture (a wider window also reflows the table)."""
    with browser.Chromium(width=MIN_WIDTH, height=HEIGHT) as b:
        # A scrollbar would take width from the table.
        b.call("Emulation.setScrollbarsHidden", hidden=True)
        b.open(html_path.resolve().as_uri())
        width = MIN_WIDTH
        for _ in range(5):
            needed = b.evaluate("document.documentElement.scrollWidth")
            if needed <= width:
                break
            width = needed
            b.resize(width, HEIGHT)
        png_path.parent.mkdir(parents=True, exist_ok=True)
        png_path.write_bytes(b.screenshot())
