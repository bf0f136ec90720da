"""The design card, checked: layout, package list, file sizes, CI command."""

import configparser
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
MAX_LINES = 600


def _package_files():
    return sorted(list((ROOT / "minikeras").rglob("*.py")) + list((ROOT / "kernels").rglob("*.py")))


def test_no_package_file_is_over_600_lines():
    too_long = {}
    for path in _package_files():
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_LINES:
            too_long[str(path.relative_to(ROOT))] = count
    assert not too_long, f"Files over {MAX_LINES} lines (split them, see STYLE.md): {too_long}"


def test_setup_cfg_lists_every_package_folder():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    listed = set(config["options"]["packages"].split())
    on_disk = {"minikeras.kernels"}
    for init in (ROOT / "minikeras").rglob("__init__.py"):
        parts = init.parent.relative_to(ROOT).parts
        on_disk.add(".".join(parts))
    assert listed == on_disk, (
        f"setup.cfg `packages` and the package folders differ: "
        f"missing from setup.cfg {sorted(on_disk - listed)}, listed but absent {sorted(listed - on_disk)}"
    )


def test_kernels_install_under_the_minikeras_namespace():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    package_dir = config["options"]["package_dir"]
    assert re.search(r"minikeras\.kernels\s*=\s*kernels", package_dir)
    import minikeras.kernels

    assert pathlib.Path(minikeras.kernels.__file__).parent == ROOT / "kernels"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"(python -m )?pytest[^`\n]*", readme).group(0).strip()
    assert command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_no_unfinished_markers_in_the_package():
    pattern = re.compile(r"\b(TODO|FIXME|XXX)\b|being written in this session")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _package_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, f"Unfinished markers: {offenders}"
