"""Make Folium pages open with no network: Leaflet only, inlined from an installed package.

Folium links Leaflet, jQuery, Bootstrap and Font Awesome from CDNs; offline such a page is blank
("L is not defined"). The maps of this package need Leaflet alone, so:

1. :func:`leaflet_only` sets a map's ``default_js`` / ``default_css`` to Leaflet's script and
   stylesheet (their canonical CDN addresses, as Folium would write them);
2. :func:`inline_assets` post-processes the rendered HTML: every ``<script src>`` and every
   ``<link rel="stylesheet">`` is replaced by the file's content, read with ``importlib.resources``
   from the package data of ``django-js-lib-leaflet`` (Leaflet 1.9.4; the Django app module is
   never imported). The images the stylesheet refers to become ``data:`` URIs.

Any script or stylesheet with no local copy raises :class:`ExternalAssetError`, so a new asset
(a Folium plugin, a branca colormap's d3, ...) can never silently stay on a CDN.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib import resources

__all__ = [
    "LEAFLET_CSS_URL",
    "LEAFLET_JS_URL",
    "ExternalAssetError",
    "external_assets",
    "inline_assets",
    "leaflet_only",
]

LEAFLET_VERSION = "1.9.4"
LEAFLET_JS_URL = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.js"
LEAFLET_CSS_URL = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.css"

_PACKAGE = "js_lib_leaflet"  # distribution django-js-lib-leaflet: Leaflet as package data
_STATIC = "static/js_lib_leaflet"

# Address of a Leaflet 1.9.x file on any CDN (jsdelivr, unpkg, cdnjs) -> file in the package data.
_KNOWN = re.compile(r"^(?:https?:)?//[^\s\"'<>]*?leaflet(?:@|/)1\.9\.\d+/(?:dist/)?(leaflet\.(?:js|css))$")

_SCRIPT_SRC = re.compile(r"<script\b[^>]*?\bsrc\s*=\s*([\"'])(.*?)\1[^>]*>\s*</script\s*>", re.I | re.S)
_SCRIPT_OPEN_SRC = re.compile(r"<script\b[^>]*?\bsrc\s*=\s*([\"']?)([^\"'\s>]*)\1", re.I)
_MEDIA_SRC = re.compile(
    r"<(?:img|iframe|embed|source|audio|video|track|input)\b[^>]*?\bsrc\s*=\s*([\"']?)([^\"'\s>]*)\1", re.I
)
_LINK = re.compile(r"<link\b[^>]*>", re.I)
_HREF = re.compile(r"\bhref\s*=\s*([\"'])(.*?)\1", re.I | re.S)
_REL = re.compile(r"\brel\s*=\s*([\"'])(.*?)\1", re.I | re.S)
# rel values that make the browser fetch something for the page itself (not a plain hyperlink).
_FETCHING_RELS = {"stylesheet", "preload", "modulepreload", "prefetch", "import", "icon", "manifest"}
_CSS_URL = re.compile(r"url\(\s*([\"']?)(.*?)\1\s*\)", re.I)
_CSS_IMPORT = re.compile(r"@import\b", re.I)
_SOURCE_MAP = re.compile(r"^[ \t]*//[#@] sourceMappingURL=.*$", re.M)


class ExternalAssetError(RuntimeError):
    """A page would load a script or stylesheet from outside the file (no local copy known)."""


def leaflet_only(m):
    """Set the Folium map ``m`` to link Leaflet's JS and CSS only (no jQuery, Bootstrap, fonts).

    Returns ``m``. GeoJSON layers, tooltips, popups, the layer control and the scale bar need no
    more than Leaflet; a branca colormap legend would add d3 (and :func:`inline_assets` would refuse it).
    """
    m.default_js = [("leaflet", LEAFLET_JS_URL)]
    m.default_css = [("leaflet_css", LEAFLET_CSS_URL)]
    return m


def _read(name: str) -> bytes:
    return (resources.files(_PACKAGE) / _STATIC / name).read_bytes()


@cache
def _leaflet_js() -> str:
    code = _SOURCE_MAP.sub("", _read("leaflet.js").decode("utf-8"))
    # "</script" inside inlined code would end the element early; "<\/" means the same to JS.
    return code.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


@cache
def _leaflet_css() -> str:
    css = _SOURCE_MAP.sub("", _read("leaflet.css").decode("utf-8"))

    def to_data_uri(match: re.Match) -> str:
        url = match.group(2)
        if url.startswith(("#", "data:")):  # fragment (old IE VML behaviour) or already inline
            return match.group(0)
        if not url.startswith("images/") or not url.endswith(".png"):
            raise ExternalAssetError(f"leaflet.css refers to {url!r}, which has no local copy to inline")
        data = base64.b64encode(_read(url)).decode("ascii")
        return f'url("data:image/png;base64,{data}")'

    css = _CSS_URL.sub(to_data_uri, css)
    if _CSS_IMPORT.search(css):
        raise ExternalAssetError("leaflet.css contains an @import, which cannot be inlined")
    return css.replace("</style", "<\\/style")


def _local_copy(url: str) -> str | None:
    """Content of the local copy of the asset at ``url``, or None if there is none."""
    match = _KNOWN.match(url.strip())
    if not match:
        return None
    return _leaflet_js() if match.group(1) == "leaflet.js" else _leaflet_css()


def _is_stylesheet_like(tag: str) -> bool:
    rel = _REL.search(tag)
    rels = set(rel.group(2).lower().split()) if rel else set()
    return bool(rels & _FETCHING_RELS)


def external_assets(html: str) -> list[str]:
    """Every script, stylesheet, other fetched ``<link>``, CSS ``url()`` and embedded media address
    left in ``html``.

    Plain hyperlinks (``<a href>``) and URLs inside JavaScript strings (an optional tile layer's
    template) are not assets of the page and are not listed.
    """
    found = [m.group(2) for m in _SCRIPT_OPEN_SRC.finditer(html)]
    found += [m.group(2) for m in _MEDIA_SRC.finditer(html) if not m.group(2).startswith("data:")]
    for tag in _LINK.findall(html):
        href = _HREF.search(tag)
        if href and _is_stylesheet_like(tag):
            found.append(href.group(2))
    for style in re.findall(r"<style\b[^>]*>(.*?)</style\s*>", html, re.I | re.S):
        found += [m.group(2) for m in _CSS_URL.finditer(style) if not m.group(2).startswith(("data:", "#"))]
        if _CSS_IMPORT.search(style):
            found.append("@import in an inline stylesheet")
    return found


def inline_assets(html: str) -> str:
    """Return ``html`` with every linked script and stylesheet replaced by its content.

    Raises :class:`ExternalAssetError` naming every address that has no local copy: the page
    would need the network for it. Afterwards the page is checked once more with
    :func:`external_assets`, so nothing fetched is left behind.
    """
    missing: list[str] = []

    def script(match: re.Match) -> str:
        code = _local_copy(match.group(2))
        if code is None or not match.group(2).endswith(".js"):
            missing.append(match.group(2))
            return match.group(0)
        return f"<script>{code}</script>"

    def link(match: re.Match) -> str:
        tag = match.group(0)
        if not _is_stylesheet_like(tag):
            return tag
        href = _HREF.search(tag)
        url = href.group(2) if href else ""
        code = _local_copy(url)
        if code is None or not url.endswith(".css"):
            missing.append(url or tag)
            return tag
        return f"<style>{code}</style>"

    out = _SCRIPT_SRC.sub(script, html)
    out = _LINK.sub(link, out)
    missing += [url for url in external_assets(out) if url not in missing]
    if missing:
        raise ExternalAssetError(
            "the map would load these assets from outside the file, and no installed package "
            "ships a local copy to inline: "
            + ", ".join(sorted(set(missing)))
            + ". Add the asset to layout/offline.py (from a package dependency) or drop it."
        )
    return out
