"""A PNG of the top of the matrix page as Chromium renders it."""
import browser

HEIGHT = 1100


def save(html_path, png_path):
    """Sizes the window to the whole width of the table, so that every
    backend column is in the picture."""
    url = html_path.resolve().as_uri()
    with browser.Chromium() as b:
        b.open(url)
        width = b.evaluate("document.documentElement.scrollWidth")
    with browser.Chromium(width=max(width, 800), height=HEIGHT) as b:
        b.open(url)
        png_path.parent.mkdir(parents=True, exist_ok=True)
        png_path.write_bytes(b.screenshot())
