"""Files a notebook writes for the reader of its report (a whole list as CSV), and where they go.

``crmbook run`` starts each notebook's kernel with :data:`OUTPUT_DIR_ENV` naming a folder inside the
run folder, beside the report (``<run>/<topic>_files/``): files written there move with the run and the
report links them by a relative path (:func:`link`). Outside a run (a trainee in JupyterLab) the variable
is not set and nothing is written (:func:`output_dir` is None).

Files a notebook **exports** to a folder the analyst names (``export_dir``: segment lists for a call
centre) follow three rules (:func:`export_folder`, :func:`claim_export`):

- a relative folder is the caller's: ``crmbook run`` resolves it against the working directory it was
  started in, before any kernel starts (a kernel works in the notebooks' folder);
- a system folder (``/``, ``/etc``, ``/usr`` ..., the Python installation, crmbook's own package) or a
  folder that cannot be written is refused;
- a file already there that crmbook did not write is never overwritten: crmbook lists what it wrote
  in the folder's manifest :data:`EXPORT_MANIFEST`, and refuses any other file of the same name.

A shared module: the kernel and the runner both import it; it imports nothing.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path

__all__ = ["EXPORT_MANIFEST", "OUTPUT_DIR_ENV", "SYSTEM_FOLDERS", "claim_export", "export_folder", "link",
           "output_dir", "record_export"]

#: The file, in an export folder, that lists the files crmbook wrote there (one name per line, JSON).
EXPORT_MANIFEST = ".crmbook-export.json"

#: Folders (and everything inside them) that an export may never write into, on POSIX systems.
SYSTEM_FOLDERS = ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/proc",
                  "/run", "/sbin", "/srv", "/sys", "/usr", "/var")
#: Exceptions inside :data:`SYSTEM_FOLDERS`: places for anyone's files.
_WRITABLE_INSIDE = ("/var/tmp",)

#: Environment variable naming the folder for a report's files (set by the runner for each kernel).
OUTPUT_DIR_ENV = "CRMBOOK_OUTPUT_DIR"


def output_dir() -> Path | None:
    """The folder for this report's files (created), or None outside a run."""
    value = os.environ.get(OUTPUT_DIR_ENV, "").strip()
    if not value:
        return None
    folder = Path(value)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def link(path: Path) -> str:
    """``path`` (a file in :func:`output_dir`) as the report links it: ``<folder>/<file>``, relative."""
    return f"{path.parent.name}/{path.name}"


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def export_folder(value: str | os.PathLike[str], *, base: str | os.PathLike[str] | None = None) -> Path:
    """The absolute export folder ``value`` names (relative to ``base``, default the working directory),
    checked: not a system folder and writable (it is created later, when something is exported).

    Raises
    ------
    ValueError
        The folder is ``/``, lies in a system folder (:data:`SYSTEM_FOLDERS`), in the Python
        installation or in crmbook's package, is a file, or cannot be written; the message names it.
    """
    raw = Path(value).expanduser()
    folder = (raw if raw.is_absolute() else Path(base or os.getcwd()) / raw).resolve()
    forbidden = [Path(p) for p in SYSTEM_FOLDERS] + [Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
                                                     Path(__file__).resolve().parent]
    if os.name == "posix" and (folder == Path("/") or any(_inside(folder, f) for f in forbidden)) and not any(
            _inside(folder, Path(w)) for w in _WRITABLE_INSIDE):
        raise ValueError(f"export folder {folder} is a system or installation folder; crmbook exports only "
                         "into a folder of your own (e.g. ~/crm-exports or a folder beside your data)")
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"export folder {folder} is a file, not a folder")
    existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("/"))
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"export folder {folder} cannot be written (no write permission on {existing})")
    return folder


def _manifest(folder: Path) -> set[str]:
    try:
        names = json.loads((folder / EXPORT_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {str(n) for n in names} if isinstance(names, list) else set()


def claim_export(folder: str | os.PathLike[str], names: Iterable[str]) -> Path:
    """Check that the files ``names`` may be written into ``folder`` (:func:`export_folder` rules; a file
    of the same name that crmbook did not write is refused) and create the folder; return it.

    Raises
    ------
    ValueError
        As :func:`export_folder`.
    FileExistsError
        Files of those names are there and crmbook's manifest does not list them (the message names them).
    """
    path = export_folder(folder)
    names = list(names)
    if path.is_dir():
        ours = _manifest(path)
        theirs = [n for n in names if (path / n).exists() and n not in ours]
        if theirs:
            shown = ", ".join(theirs[:5]) + (f" and {len(theirs) - 5} more" if len(theirs) > 5 else "")
            raise FileExistsError(f"export folder {path} already holds {shown}, which crmbook did not write; "
                                  "nothing was exported. Move those files, or choose an empty folder")
    path.mkdir(parents=True, exist_ok=True)
    return path


def record_export(folder: str | os.PathLike[str], paths: Iterable[str | os.PathLike[str]]) -> None:
    """Add the files crmbook just wrote into ``folder`` to its manifest (:data:`EXPORT_MANIFEST`)."""
    folder = Path(folder)
    names = sorted(_manifest(folder) | {Path(p).name for p in paths})
    tmp = folder / f"{EXPORT_MANIFEST}.tmp"
    tmp.write_text(json.dumps(names, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, folder / EXPORT_MANIFEST)
