"""Make ipywidgets render on the website without a CDN.

``fetch``: download (at build time, once) the pinned @jupyter-widgets/html-manager
and requirejs packages from the npm registry with ``npm pack`` (npm checks their
integrity) and copy the files the pages need into ``book/_vendor/vendor/``
(ignored by git). ``_config.yml`` points myst-nb's ``nb_ipywidgets_js`` there.

``fonts HTML_DIR``: the widget bundle loads its icon fonts relative to each
page, so copy them beside every page that shows a widget.

Usage: python book/vendor_widgets.py fetch
       python book/vendor_widgets.py fonts book/_build/html
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGES = {"@jupyter-widgets/html-manager": "1.0.15", "requirejs": "2.3.8"}
VENDOR = Path(__file__).resolve().parent / "_vendor" / "vendor"  # served as _static/vendor
FONTS = VENDOR / "widget-fonts"
FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".eot", ".svg")
WIDGET_MARK = "application/vnd.jupyter.widget-view+json"


def fetch() -> None:
    if (VENDOR / "embed-amd.js").is_file() and (VENDOR / "require.js").is_file() and FONTS.is_dir():
        return
    if shutil.which("npm") is None:
        sys.exit("npm is needed once to vendor the ipywidgets page scripts: install Node.js (apt-get install npm).")
    with tempfile.TemporaryDirectory() as tmp:
        specs = [f"{name}@{version}" for name, version in PACKAGES.items()]
        subprocess.run(["npm", "pack", "--silent", *specs], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        VENDOR.mkdir(parents=True, exist_ok=True)
        FONTS.mkdir(exist_ok=True)
        for tgz in Path(tmp).glob("*.tgz"):
            with tarfile.open(tgz) as tar:
                for member in tar.getmembers():
                    name = member.name
                    if name == "package/dist/embed-amd.js" or name == "package/require.js":
                        target = VENDOR / Path(name).name
                    elif name.startswith("package/dist/") and name.endswith(FONT_SUFFIXES) and "/" not in name[13:]:
                        target = FONTS / Path(name).name
                    else:
                        continue
                    source = tar.extractfile(member)
                    assert source is not None
                    target.write_bytes(source.read())
    print(f"Vendored ipywidgets page scripts into {VENDOR}")


# The bundle asks for its fonts under two public paths: the html-manager's own stylesheet uses
# @jupyter-widgets/html-manager/dist/, the controls' Font Awesome (e.g. FileUpload's icon) @jupyter-widgets/.
FONT_DIRS = ("@jupyter-widgets/html-manager/dist", "@jupyter-widgets")


def fonts(html_dir: Path) -> None:
    for page in html_dir.rglob("*.html"):
        if WIDGET_MARK in page.read_text(encoding="utf-8"):
            for rel in FONT_DIRS:
                dest = page.parent / rel
                dest.mkdir(parents=True, exist_ok=True)
                for font in FONTS.iterdir():
                    shutil.copy2(font, dest / font.name)


if __name__ == "__main__":
    if sys.argv[1:2] == ["fetch"]:
        fetch()
    elif sys.argv[1:2] == ["fonts"] and len(sys.argv) == 3:
        fonts(Path(sys.argv[2]))
    else:
        sys.exit(__doc__)
