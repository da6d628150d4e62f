"""The one rule for every command's output folder (`--out` of run, student, bundle, bench, train).

- It names a folder, in UTF-8, each name at most 255 bytes; it is not a file, can be written, and
  is not (nor inside) the stored notebooks' folder or the `helpers` package: `refresh` is the one
  command that updates stored notebooks.
- It is new or empty; or, with `--overwrite`, the command replaces only the files it writes
  itself (its `writes` list), never another file in the folder.
- Every file is written whole or not at all (`write_atomically`); a folder built in several steps
  is built beside its name and renamed into place (`staging_folder`, `publish_folder`).
- While a command writes into it, the folder holds a lock (`LOCK_NAME`, an flock the kernel drops
  when the process dies, so a killed run leaves no lock that counts): a second command refuses
  it. A default folder (`runs/<timestamp>`) is made with a suffix when another command took it.
"""

import atexit
import errno
import fcntl
import os
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from ..errors import ParameterError

LOCK_NAME = ".helpers-out.lock"
NAME_MAX = 255  # bytes in one file or folder name (Linux, macOS and Windows file systems alike)
PACKAGE_DIR = Path(__file__).resolve().parent.parent  # helpers/
STORED_NOTEBOOKS_DIR = PACKAGE_DIR.parent / "notebooks"
PROTECTED = {"the stored notebooks' folder": STORED_NOTEBOOKS_DIR, "the helpers package": PACKAGE_DIR}


def check_path_text(name: str, value) -> str:
    """A path given as text: not empty, UTF-8 (bash's $'\\xff' arrives as an undecodable byte),
    no name longer than the file system allows."""
    if not isinstance(value, (str, Path)) or not str(value).strip():
        raise ParameterError(name, value, "must name a folder or file; an empty name names none")
    text = str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(text)
        bad = next(i for i in range(len(raw)) if not _utf8_at(raw, i))
        raise ParameterError(
            name, text, f"is not valid UTF-8 (byte 0x{raw[bad]:02x} at position {bad}); choose a name in UTF-8"
        ) from None
    for part in Path(text).parts:
        size = len(part.encode("utf-8"))
        if size > NAME_MAX:
            raise ParameterError(
                name,
                _shortened(text),
                f"has a name of {size} bytes; file systems allow at most {NAME_MAX} bytes a name",
            )
    return text


def _utf8_at(raw: bytes, index: int) -> bool:
    try:
        raw[: index + 1].decode("utf-8")
        return True
    except UnicodeDecodeError as error:
        return error.reason == "unexpected end of data"


def _shortened(text: str, width: int = 60) -> str:
    return text if len(text) <= width else f"{text[:width]}...({len(text)} characters)"


def check_out_dir(
    out, *, overwrite: bool = False, can_overwrite: bool = True, name: str = "out", writes=(), only_name: bool = False
) -> Path:
    """The folder, made absolute against the caller's folder and checked before any work (see the
    module's rule). Nothing is created here. `can_overwrite`: the command has an --overwrite
    option (the message suggests it only then); `writes`: the names it writes, replaced under
    --overwrite (each must be a file, or absent); `only_name`: the folder is not taken as it is (a
    default folder, made under a free name when claimed; a training's other processes, whose main
    process takes it): its name is checked, not its contents or lock."""
    text = check_path_text(name, out)
    try:
        folder = Path(text).expanduser().resolve()
        for where, protected in PROTECTED.items():
            if folder == protected or protected in folder.parents or _same_folder(folder, protected):
                raise ParameterError(
                    name,
                    text,
                    f"is {where} or inside it, which no command writes into "
                    "(`python -m helpers refresh` alone updates the stored notebooks); "
                    "choose another folder",
                )
        if folder.exists() and not folder.is_dir():
            raise ParameterError(name, text, "is an existing file; choose a folder")
        holder = None if only_name else lock_holder(folder)
        if holder:
            raise ParameterError(
                name,
                text,
                f"is being written by another command (pid {holder}); wait for it to finish, or choose another folder",
            )
        if folder.is_dir() and not overwrite and not only_name and _contents(folder):
            hint = (
                ", or pass --overwrite to replace what an earlier run of this command wrote there"
                if can_overwrite
                else ""
            )
            raise ParameterError(name, text, f"already exists and is not empty; choose a new folder{hint}")
        for file_name in writes if overwrite else ():
            target = folder / file_name
            if target.is_dir() and not target.is_symlink():
                raise ParameterError(
                    name, text, f"holds a folder {file_name!r} where this command writes a file; choose another folder"
                )
        existing = next(p for p in [folder, *folder.parents] if p.exists())
        tempfile.TemporaryFile(dir=existing).close()
    except OSError as error:
        raise ParameterError(
            name, _shortened(text), f"cannot be written ({error.strerror or error}); choose a folder you can write"
        ) from None
    return folder


def _same_folder(folder: Path, protected: Path) -> bool:
    """The protected folder reached another way (a bind mount, a hard-linked path): same device
    and inode as the folder or one of its existing parents."""
    try:
        guarded = protected.stat()
    except OSError:
        return False
    for path in [folder, *folder.parents]:
        try:
            if os.path.samestat(path.stat(), guarded):
                return True
        except OSError:
            continue
    return False


def _contents(folder: Path) -> list[str]:
    """What the folder holds, a lock file left by a killed command aside."""
    return [p.name for p in folder.iterdir() if p.name != LOCK_NAME]


def lock_holder(folder: Path) -> int | None:
    """The pid of the live command writing into the folder, if one is."""
    try:
        fd = os.open(folder / LOCK_NAME, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return None  # a lock file nobody holds: its command died
    except BlockingIOError:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else -1
    finally:
        os.close(fd)


def default_out_dir(parent: str | Path) -> Path:
    """The default folder name: a timestamp under `parent` (made unique when the folder is claimed)."""
    return Path(parent) / time.strftime("%Y%m%d-%H%M%S")


def _make_unique(folder: Path) -> Path:
    """Create the folder, or the first free `<name>-2`, `<name>-3`...: two commands started in the
    same second get a folder each (mkdir is atomic: one of them wins each name)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    for number in range(1, 1000):
        candidate = folder if number == 1 else folder.with_name(f"{folder.name}-{number}")
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            continue
    raise ParameterError("out", str(folder), "has 999 folders of that name already; choose a folder with --out")


class Claim:
    """A folder held by this command: created, locked, and (with overwrite) rid of the earlier copies
    of exactly the files this command writes. `release()` drops the lock and its file."""

    def __init__(self, folder: Path, fd: int):
        self.folder, self._fd = folder, fd

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.unlink(self.folder / LOCK_NAME)  # before unlocking: no one locks a file about to go
        except OSError:
            pass
        os.close(self._fd)
        self._fd = None


def claim(
    folder: Path,
    *,
    overwrite: bool = False,
    writes=(),
    unique: bool = False,
    name: str = "out",
    can_overwrite: bool = True,
) -> Claim:
    """Take the checked folder for this command (see `Claim`). unique: a default folder, which is
    created under a free name rather than shared."""
    folder = _make_unique(folder) if unique else folder
    folder.mkdir(parents=True, exist_ok=True)
    fd = _lock(folder, name)
    taken = Claim(folder, fd)
    # Checked again under the lock: another command may have written here since the first check.
    if not overwrite and _contents(folder):
        taken.release()
        hint = ", or pass --overwrite" if can_overwrite else ""
        raise ParameterError(
            name, str(folder), f"was written into by another command after the check; choose a new folder{hint}"
        )
    for file_name in writes if overwrite else ():
        try:
            (folder / file_name).unlink()  # a link is removed, never followed
        except FileNotFoundError:
            pass
    return taken


@contextmanager
def claimed(folder: Path, **options):
    """`claim` for the length of a `with` block."""
    taken = claim(folder, **options)
    try:
        yield taken.folder
    finally:
        taken.release()


def claim_for_process(folder: Path, **options) -> Path:
    """`claim` until this process exits (the training command: its lock outlives check_config)."""
    taken = claim(folder, **options)
    atexit.register(taken.release)
    return taken.folder


def _lock(folder: Path, name: str) -> int:
    path = folder / LOCK_NAME
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            raise ParameterError(
                name,
                str(folder),
                f"is being written by another command (pid {text or '?'}); "
                "wait for it to finish, or choose another folder",
            ) from None
        try:
            if os.path.samestat(os.fstat(fd), os.stat(path)):
                break
        except OSError as error:
            if error.errno != errno.ENOENT:
                raise
        os.close(fd)  # the holder removed the file between our open and our lock: take the new one
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def scratch_name(name: str) -> str:
    """The hidden name a file is written under before it is renamed into place."""
    return f".{name}.partial"


def write_atomically(path: Path, text: str) -> None:
    """`path` holds the whole text or its earlier content, never half: a reader, or a run killed
    while writing, never sees a torn file."""
    scratch = path.with_name(scratch_name(path.name))
    scratch.write_text(text, encoding="utf-8")
    os.replace(scratch, path)


def staging_folder(final: Path) -> Path:
    """A new hidden folder beside `final`, to be renamed to it when complete; made as `mkdir` makes
    folders (the umask decides who can read it), unlike tempfile.mkdtemp's owner-only mode 700."""
    final.parent.mkdir(parents=True, exist_ok=True)
    while True:
        staging = final.parent / scratch_name(f"{final.name}-{uuid.uuid4().hex[:8]}")
        try:
            staging.mkdir()
            return staging
        except FileExistsError:
            continue


def publish_folder(staging: Path, final: Path) -> bool:
    """Rename a complete staging folder to `final`; False when another process published it first
    (its copy is kept; the caller removes `staging`)."""
    try:
        staging.rename(final)
        return True
    except OSError:
        return False


@contextmanager
def built_beside(final: Path):
    """`with built_beside(final) as staging:` fill `staging`; on leaving the block it becomes `final`,
    unless another process published `final` first (theirs is kept). Nothing half-built is left."""
    import shutil

    staging = staging_folder(final)
    try:
        yield staging
        publish_folder(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
