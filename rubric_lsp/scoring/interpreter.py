"""The project's Python: which interpreter runs its tests, and where its packages are.

Finding it reads files only (a workspace's ``.venv/bin/python`` is workspace code, and an
untrusted run executes none); asking it for its ``sys.path`` is for trusted runs.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import shlex
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rubric_lsp.scoring import proc

BIN = "Scripts" if sys.platform == "win32" else "bin"
EXE = "python.exe" if sys.platform == "win32" else "python"
OWN = "rubric's own interpreter"


@dataclass(frozen=True)
class ProjectPython:
    """The interpreter a run uses, how it was found, and what the report says about it."""

    executable: str
    # How it was found: "--python", "the tests command", "VIRTUAL_ENV", ".venv", "uv", ...
    found_by: str
    note: str = ""

    @property
    def own(self) -> bool:
        """Whether this is the interpreter rubric itself runs under."""
        return self.found_by == OWN

    @property
    def environment(self) -> Path | None:
        """The virtual environment's folder (the one holding ``pyvenv.cfg``), if it is one."""
        folder = Path(self.executable).parent.parent
        return folder if (folder / "pyvenv.cfg").is_file() else None

    def describe(self) -> str:
        """One line for reports: the path and how it was found."""
        text = f"{self.executable} ({self.found_by})"
        return f"{text}; {self.note}" if self.note else text

    def to_json(self) -> dict[str, str]:
        """The JSON shape of the interpreter (see docs/scoring.md)."""
        return {"executable": self.executable, "found_by": self.found_by, "note": self.note}


def own_executable() -> str:
    """``sys.executable``, called ``python`` when that name in its folder is the same program."""
    # A process started as python3 (Ray's workers) and one started as python must name
    # one interpreter alike, or the same change's reports differ between the engines.
    current = Path(sys.executable)
    plain = current.with_name("python")
    try:
        if plain != current and os.path.samefile(plain, current):
            return str(plain)
    except OSError:
        pass
    return sys.executable


def own_python(note: str = "") -> ProjectPython:
    """rubric's own interpreter."""
    return ProjectPython(own_executable(), OWN, note)


def _in_env(folder: Path) -> Path | None:
    """The interpreter of a virtual environment folder, if it has one."""
    candidate = folder / BIN / EXE
    return candidate if candidate.exists() else None


def named_by_command(command: str | None, root: Path) -> Path | None:
    """The interpreter a tests command names by path (``.venv/bin/python -m pytest``)."""
    if not command:
        return None
    try:
        first = shlex.split(command)[0]
    except (ValueError, IndexError):
        return None
    if os.sep not in first and "/" not in first:
        return None  # ``python`` or ``pytest`` from PATH: no environment named
    path = Path(first) if Path(first).is_absolute() else root / first
    name = path.name.lower()
    if name.startswith("python"):
        return path if path.exists() else None
    # ``.venv/bin/pytest``: the interpreter beside it runs it.
    sibling = path.parent / EXE
    return sibling if sibling.exists() else None


def _project_name(root: Path) -> str | None:
    """The project's name from pyproject.toml (``[project]`` or ``[tool.poetry]``)."""
    data = _pyproject(root)
    project = data.get("project", {})
    poetry = data.get("tool", {}).get("poetry", {})
    name = project.get("name") or poetry.get("name")
    return str(name) if name else None


def _pyproject(root: Path) -> dict[str, Any]:
    """pyproject.toml's tables, empty when there is none or it does not parse."""
    path = root / "pyproject.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


def poetry_env(root: Path, env: Mapping[str, str]) -> Path | None:
    """Poetry's environment for the project in its cache (``{name}-{hash}-py{X.Y}``)."""
    data = _pyproject(root)
    if "poetry" not in data.get("tool", {}):
        return None
    name = _project_name(root)
    if not name:
        return None
    if env.get("POETRY_VIRTUALENVS_PATH"):
        store = Path(env["POETRY_VIRTUALENVS_PATH"])
    elif env.get("POETRY_CACHE_DIR"):
        store = Path(env["POETRY_CACHE_DIR"]) / "virtualenvs"
    elif sys.platform == "darwin":
        store = Path.home() / "Library" / "Caches" / "pypoetry" / "virtualenvs"
    else:
        cache = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        store = Path(cache) / "pypoetry" / "virtualenvs"
    # Poetry's own naming (poetry.utils.env.EnvManager.generate_env_name).
    sanitized = re.sub(r'[ $`!*@"\\\r\n\t]', "_", name.lower())[:42]
    where = os.path.normcase(os.path.realpath(root))
    digest = base64.urlsafe_b64encode(hashlib.sha256(where.encode()).digest()).decode()[:8]
    for folder in sorted(store.glob(f"{sanitized}-{digest}-py*"), reverse=True):
        found = _in_env(folder)
        if found is not None:
            return found
    return None


def pdm_env(root: Path) -> Path | None:
    """The interpreter pdm recorded for the project in ``.pdm-python``."""
    try:
        text = (root / ".pdm-python").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    path = Path(text)
    return path if text and path.is_absolute() and path.exists() else None


def hatch_env(root: Path) -> Path | None:
    """The default hatch environment when the project gives it a path of its own."""
    data = _pyproject(root)
    hatch_toml = root / "hatch.toml"
    envs = data.get("tool", {}).get("hatch", {}).get("envs", {})
    if hatch_toml.is_file():
        with contextlib.suppress(OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            envs = tomllib.loads(hatch_toml.read_text(encoding="utf-8")).get("envs", envs)
    path = envs.get("default", {}).get("path") if isinstance(envs, dict) else None
    if not path:
        return None
    folder = Path(path) if Path(path).is_absolute() else root / path
    return _in_env(folder)


def uv_env(root: Path, env: Mapping[str, str]) -> Path | None:
    """uv's project environment when ``UV_PROJECT_ENVIRONMENT`` moves it from ``.venv``."""
    where = env.get("UV_PROJECT_ENVIRONMENT")
    if not where or not (root / "uv.lock").is_file():
        return None
    folder = Path(where) if Path(where).is_absolute() else root / where
    return _in_env(folder)


def find_python(
    root: Path, chosen: str, tests_command: str | None, env: Mapping[str, str] | None = None
) -> ProjectPython:
    """The project's interpreter, by the first rule that finds one; runs nothing."""
    env = os.environ if env is None else env
    if chosen:
        path = Path(chosen).expanduser()
        path = path if path.is_absolute() else root / path
        if not path.exists():
            raise proc.ScoringError(f"--python {chosen}: no such interpreter")
        return ProjectPython(str(path), "--python")
    named = named_by_command(tests_command, root)
    if named is not None:
        return ProjectPython(str(named), "the tests command")
    active = env.get("VIRTUAL_ENV")
    if active:
        found = _in_env(Path(active))
        if found is not None:
            return ProjectPython(str(found), "VIRTUAL_ENV")
    for folder in (".venv", "venv"):
        found = _in_env(root / folder)
        if found is not None:
            return ProjectPython(str(found), f"{folder}/ at the repository root")
    for tool, found in (
        ("uv", uv_env(root, env)),
        ("poetry", poetry_env(root, env)),
        ("pdm", pdm_env(root)),
        ("hatch", hatch_env(root)),
    ):
        if found is not None:
            return ProjectPython(str(found), f"the {tool} environment")
    return own_python("no project environment found (no VIRTUAL_ENV, .venv/ or venv/)")


# Run by the project's interpreter in trusted runs: what it can import, nothing imported.
_PROBE = """
import importlib.util, json, sys, sysconfig
paths = sysconfig.get_paths()
stdlib = {paths.get("stdlib"), paths.get("platstdlib")}
print(json.dumps({
    "version": "%d.%d" % sys.version_info[:2],
    "path": [p for p in sys.path if p and p not in stdlib and not p.endswith(".zip")
             and not p.endswith("lib-dynload")],
    "modules": {m: importlib.util.find_spec(m) is not None for m in ("pytest", "coverage")},
}))
"""


@dataclass(frozen=True)
class Probe:
    """What the project's interpreter said about itself."""

    version: str = ""
    path: tuple[str, ...] = ()
    modules: dict[str, bool] = field(default_factory=dict)
    problem: str = ""

    def has(self, module: str) -> bool:
        """Whether the interpreter can import ``module`` (unknown counts as yes)."""
        return self.modules.get(module, True)


async def probe(python: ProjectPython, cwd: Path) -> Probe:
    """Ask the interpreter (trusted runs only) for its search path and test tools."""
    try:
        done = await proc.run([python.executable, "-c", _PROBE], cwd, timeout=60)
        data = json.loads(done.text)
    except (proc.ScoringError, TimeoutError, ValueError) as error:
        return Probe(problem=f"{python.executable} could not start: {error}")
    return Probe(
        str(data.get("version", "")),
        tuple(str(p) for p in data.get("path", [])),
        {str(k): bool(v) for k, v in data.get("modules", {}).items()},
    )


def site_packages(environment: Path) -> list[str]:
    """An environment's site-packages folders from its layout, and the plain paths of its .pth."""
    found = sorted(environment.glob("lib*/python*/site-packages")) + sorted(
        environment.glob("Lib/site-packages")
    )
    config = read_pyvenv_cfg(environment)
    if config.get("include-system-site-packages", "").lower() == "true" and config.get("home"):
        home = Path(config["home"]).parent
        found += sorted(home.glob("lib*/python*/site-packages"))
    paths: list[str] = []
    for folder in found:
        paths.append(str(folder))
        for pth in sorted(folder.glob("*.pth")):
            # Plain lines name folders; ``import`` lines are code and are never run here.
            for line in pth.read_text(encoding="utf-8", errors="replace").splitlines():
                line = line.strip()
                if line and not line.startswith(("#", "import ", "import\t")):
                    extra = Path(line) if Path(line).is_absolute() else folder / line
                    if extra.is_dir():
                        paths.append(str(extra))
    return paths


def read_pyvenv_cfg(environment: Path) -> dict[str, str]:
    """``key = value`` lines of an environment's pyvenv.cfg."""
    try:
        text = (environment / "pyvenv.cfg").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    pairs = (line.partition("=") for line in text.splitlines())
    return {key.strip(): value.strip() for key, sep, value in pairs if sep}


def source_roots(work_dir: Path, own: bool = False) -> list[str]:
    """The project's own import roots: the tree, and ``src/`` in a src layout.

    ``own``: with rubric's own interpreter only ``src/`` is added, as pylint has always
    found the rest from the linted files' folders.
    """
    roots = [] if own else [str(work_dir)]
    if (work_dir / "src").is_dir():
        roots.append(str(work_dir / "src"))
    return roots


def search_path(python: ProjectPython, work_dir: Path, asked: Probe | None) -> tuple[str, ...]:
    """Where static analysis finds the project's imports, after rubric's own packages."""
    if python.own:
        return tuple(source_roots(work_dir, own=True))
    if asked is not None and asked.path:
        packages = list(asked.path)
    else:
        environment = python.environment
        packages = site_packages(environment) if environment is not None else []
    ours = {os.path.realpath(p) for p in sys.path if p}
    paths = [*source_roots(work_dir), *packages]
    unique: list[str] = []
    for path in paths:
        if path not in unique and os.path.realpath(path) not in ours:
            unique.append(path)
    return tuple(unique)
