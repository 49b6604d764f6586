"""Downloading the full MNIST and Fashion-MNIST datasets, checked byte for byte.

The packaged sample has 10,000 digits; the full MNIST has 60,000 training and 10,000
test images. ``nnscratch download mnist`` fetches its four ``.gz`` IDX files into
``cache_dir() / "mnist"`` with nothing but the standard library (:mod:`urllib`), after
which ``nnscratch.data.load("mnist")`` reads them.

Three rules keep the cache trustworthy:

1. **Nothing unverified gets a final name.** Bytes go to ``NAME.part``; only when the
   whole file is there *and* its SHA-256 checksum matches is it renamed to ``NAME``.
2. **Two checksums per file.** A file passes if the ``.gz`` bytes match the published
   SHA-256 *or* the decompressed bytes match the SHA-256 of the original IDX content.
   The second rule accepts mirrors (Debian, for one) that recompress the same data.
3. **Interrupted downloads resume.** If ``NAME.part`` exists, we ask the server for the
   rest with an HTTP ``Range: bytes=N-`` header; a server that answers ``206 Partial
   Content`` continues the file, any other answer restarts it from zero.

The mirror is the ``mirror`` argument, else the ``NNSCRATCH_MIRROR`` environment
variable, else the dataset's default. A ``{name}`` in the mirror is replaced by the
dataset name, so one variable can serve both datasets
(``NNSCRATCH_MIRROR=https://example.org/{name}/``); ``file://`` URLs work too.
"""

# --8<-- [start:imports]
import gzip
import hashlib
import http.client
import os
import sys
import urllib.error
import urllib.request
import zlib
from pathlib import Path
from typing import Any

from nnscratch.errors import InputError, opening
from nnscratch.files import rename_into_place

# --8<-- [end:imports]

DATASETS: dict[str, dict] = {
    "mnist": {
        "title": "MNIST handwritten digits (LeCun, Cortes & Burges)",
        "mirror": "https://ossci-datasets.s3.amazonaws.com/mnist/",
        # sha256: of the published .gz file; sha256_decompressed: of the IDX bytes inside.
        "files": {
            "train-images-idx3-ubyte.gz": {
                "sha256": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                "sha256_decompressed":
                    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            },
            "train-labels-idx1-ubyte.gz": {
                "sha256": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                "sha256_decompressed":
                    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            },
            "t10k-images-idx3-ubyte.gz": {
                "sha256": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                "sha256_decompressed":
                    "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            },
            "t10k-labels-idx1-ubyte.gz": {
                "sha256": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                "sha256_decompressed":
                    "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
            },
        },
    },
    "fashion-mnist": {
        "title": "Fashion-MNIST clothing images (Xiao, Rasul & Vollgraf, Zalando Research)",
        "mirror": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "files": {
            "train-images-idx3-ubyte.gz": {
                "sha256": "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
                "sha256_decompressed":
                    "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            },
            "train-labels-idx1-ubyte.gz": {
                "sha256": "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
                "sha256_decompressed":
                    "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            },
            "t10k-images-idx3-ubyte.gz": {
                "sha256": "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
                "sha256_decompressed":
                    "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            },
            "t10k-labels-idx1-ubyte.gz": {
                "sha256": "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
                "sha256_decompressed":
                    "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
            },
        },
    },
}
"""Every downloadable dataset: its four file names, their checksums and a default mirror.

A checksum recorded as ``None`` is unknown; each file needs at least one known checksum.
"""

# --8<-- [start:environment]
MIRROR_ENV = "NNSCRATCH_MIRROR"
CACHE_ENV = "NNSCRATCH_CACHE"
_BLOCK = 1 << 16
_USER_AGENT = "nnscratch (https://pypi.org/project/nnscratch/)"
# --8<-- [end:environment]


def list_datasets() -> list[str]:
    """The names :func:`download` accepts, sorted.

    >>> list_datasets()
    ['fashion-mnist', 'mnist']
    """
    return sorted(DATASETS)


# --8<-- [start:cache_dir]
def cache_dir() -> Path:
    """Where downloads live: ``$NNSCRATCH_CACHE`` if set, else ``~/.cache/nnscratch``.

    >>> saved = os.environ.pop(CACHE_ENV, None)
    >>> cache_dir() == Path.home() / ".cache" / "nnscratch"
    True
    >>> os.environ[CACHE_ENV] = "~/nn-cache"
    >>> cache_dir() == Path.home() / "nn-cache"
    True
    >>> _ = os.environ.pop(CACHE_ENV); os.environ.update({CACHE_ENV: saved} if saved else {})
    """
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "nnscratch"
# --8<-- [end:cache_dir]


# --8<-- [start:is_downloaded]
def is_downloaded(
    name: str, folder: Path | None = None, datasets: dict[str, dict] | None = None
) -> bool:
    """Whether all files of dataset ``name`` are in ``folder`` (default ``cache_dir()/name``).

    Only verified files ever get their final name, so their presence is enough.
    """
    table = DATASETS if datasets is None else datasets
    folder = cache_dir() / name if folder is None else Path(folder)
    return all((folder / file).is_file() for file in table[name]["files"])
# --8<-- [end:is_downloaded]


# --8<-- [start:verify]
def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 of the file's bytes, read in 1 MiB blocks so a large file costs no memory."""
    digest = hashlib.sha256()
    with opening(path), open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _sha256_gunzipped(path: Path) -> str | None:
    """SHA-256 of the decompressed content, or ``None`` if the file is not valid gzip."""
    digest = hashlib.sha256()
    with opening(path), open(path, "rb") as raw:
        try:
            with gzip.GzipFile(fileobj=raw, mode="rb") as f:
                while block := f.read(1 << 20):
                    digest.update(block)
        except (OSError, EOFError, zlib.error):
            return None
    return digest.hexdigest()


def verify(path: Path, sums: dict) -> tuple[bool, str, str | None]:
    """Check ``path`` against its recorded sums; return ``(ok, sha256, decompressed sha256)``.

    It passes when the file's SHA-256 equals ``sums["sha256"]`` or the SHA-256 of its
    decompressed content equals ``sums["sha256_decompressed"]`` (a ``None`` sum never
    matches). The decompressed digest is only computed when needed.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.gz"
    >>> _ = p.write_bytes(gzip.compress(b"abc", mtime=0))
    >>> abc = hashlib.sha256(b"abc").hexdigest()
    >>> verify(p, {"sha256": None, "sha256_decompressed": abc})[0]
    True
    >>> verify(p, {"sha256": "0" * 64, "sha256_decompressed": "1" * 64})[0]
    False
    """
    gz_sum = sha256_file(path)
    if sums.get("sha256") is not None and gz_sum == sums["sha256"]:
        return True, gz_sum, None
    raw_sum = _sha256_gunzipped(path)
    ok = sums.get("sha256_decompressed") is not None and raw_sum == sums["sha256_decompressed"]
    return ok, gz_sum, raw_sum
# --8<-- [end:verify]


# --8<-- [start:mirror]
def _mirror_for(name: str, entry: dict, mirror: str | None) -> str:
    """The base URL to fetch ``name``'s files from (argument, environment, default)."""
    base = mirror or os.environ.get(MIRROR_ENV) or entry["mirror"]
    base = base.replace("{name}", name)
    scheme = base.split(":", 1)[0].lower()
    if scheme not in ("http", "https", "file"):
        raise InputError(base, "mirror must be an http://, https:// or file:// URL")
    return base if base.endswith("/") else base + "/"
# --8<-- [end:mirror]


# --8<-- [start:fetch_once]
class _Incomplete(Exception):
    """A transfer that ended early; the ``.part`` file keeps what arrived."""


def _fetch_once(url: str, part: Path, timeout: float, bar: Any) -> None:
    """One HTTP attempt: resume ``part`` from its current size if the server allows it."""
    offset = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as e:
        if e.code == 416 and offset:  # our range starts at or past the end: start over
            part.unlink()
            raise _Incomplete("the server refused to resume; restarting") from None
        raise
    with response:
        status = getattr(response, "status", None) or 200
        resumed = status == 206 and (
            response.headers.get("Content-Range", "").startswith(f"bytes {offset}-")
        )
        remaining = response.headers.get("Content-Length")
        expected = int(remaining) if remaining and remaining.isdigit() else None
        if not resumed:
            offset = 0
        if bar is not None:
            bar.reset(total=(offset + expected) if expected is not None else None)
            bar.update(offset)
        received = 0
        with opening(part, doing="write"):
            out = open(part, "ab" if resumed else "wb")  # closed by the with just below
        with out:
            while True:
                try:
                    block = response.read(_BLOCK)
                except http.client.IncompleteRead as e:
                    out.write(e.partial)
                    raise _Incomplete("the connection was cut") from None
                if not block:
                    break
                out.write(block)
                received += len(block)
                if bar is not None:
                    bar.update(len(block))
    # http.client returns b"" rather than raising when a server closes early, so compare
    # what arrived with what Content-Length promised.
    if expected is not None and received < expected:
        raise _Incomplete(f"the connection was cut after {received} of {expected} bytes")
# --8<-- [end:fetch_once]


# --8<-- [start:fetch]
def _fetch(url: str, part: Path, retries: int, timeout: float, progress: bool) -> None:
    """Download ``url`` into ``part``, retrying (and resuming) up to ``retries`` times."""
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(desc=part.name.removesuffix(".part"), unit="B", unit_scale=True,
                   unit_divisor=1024, file=sys.stderr, leave=True)
    try:
        for attempt in range(retries + 1):
            try:
                _fetch_once(url, part, timeout, bar)
                return
            except urllib.error.HTTPError as e:
                if e.code < 500 or attempt == retries:
                    raise InputError(url, f"download failed: HTTP {e.code} {e.reason}") from None
                reason = f"HTTP {e.code}"
            except (_Incomplete, urllib.error.URLError, OSError, http.client.HTTPException) as e:
                reason = str(getattr(e, "reason", None) or e) or type(e).__name__
                if attempt == retries:
                    raise InputError(
                        url, f"download failed after {retries + 1} attempt(s): {reason}; "
                        "run the same command again to resume"
                    ) from None
    finally:
        if bar is not None:
            bar.close()
# --8<-- [end:fetch]


# --8<-- [start:download]
def download(
    name: str,
    mirror: str | None = None,
    cache: Path | None = None,
    progress: bool | None = None,
    *,
    datasets: dict[str, dict] | None = None,
    retries: int = 3,
    timeout: float = 60.0,
) -> Path:
    """Download dataset ``name`` (see :func:`list_datasets`); return the folder of its files.

    Files go to ``cache / name`` (``cache`` defaults to :func:`cache_dir`). Files already
    there are kept: they only ever got their final name after passing the checksum.
    Each missing file is fetched from ``mirror + file name`` (see the module docstring
    for how the mirror is chosen), resumed or retried up to ``retries`` more times if the
    connection breaks, verified, and only then renamed into place. A checksum mismatch
    deletes the partial file and raises :class:`~nnscratch.errors.InputError` naming the
    file and both the expected and actual sums. ``progress`` shows a tqdm bar on stderr
    (default: when stderr is a terminal). ``datasets`` replaces :data:`DATASETS`, for tests.
    """
    table = DATASETS if datasets is None else datasets
    if name not in table:
        raise InputError(name, f"unknown dataset; choose from {', '.join(sorted(table))}")
    entry = table[name]
    for file, sums in entry["files"].items():
        if sums.get("sha256") is None and sums.get("sha256_decompressed") is None:
            raise ValueError(f"{name}/{file}: no checksum recorded, refusing to download it")
    base = _mirror_for(name, entry, mirror)
    folder = Path(cache if cache is not None else cache_dir()) / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(folder, f"cannot create the download folder: {e.strerror or e}") from None
    if progress is None:
        progress = sys.stderr.isatty()
    for file, sums in entry["files"].items():
        final = folder / file
        if final.is_file():
            continue
        part = folder / (file + ".part")
        _fetch(base + file, part, retries, timeout, progress)
        ok, gz_sum, raw_sum = verify(part, sums)
        if not ok:
            part.unlink()
            raise InputError(
                final, f"checksum mismatch: sha256 {gz_sum} "
                f"(decompressed: {raw_sum or 'not valid gzip'}), expected "
                f"{sums.get('sha256')} (decompressed: {sums.get('sha256_decompressed')}); "
                "the partial file was deleted"
            )
        rename_into_place(part, final)  # fsynced first: a verified file survives a crash
    return folder
# --8<-- [end:download]

