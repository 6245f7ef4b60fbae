"""The worker processes of a scan: a function run over the blocks of a JSONL source on every core, with
the tokenizers loaded once per process.

`advisor dataset check` and `advisor tokens` share this scanner. For a regular file the work starts
before the command has finished setting up: a leader process is forked at once, loads the tokenizer
while the command loads its price tables, then forks the workers (which share its tokenizer pages
instead of loading 75 MB each) and relays their results in file order. The command's own process
never loads a tokenizer, and when the scan ends the leader and its workers exit, so what the command
does afterwards (the report) does not add to the scan's peak memory.

A stream (a pipe, stdin, `/dev/fd/N`, a FIFO, a device) cannot be cut into ranges: the command's
process reads it block by block and hands at most two blocks per worker at a time, so memory stays
flat however long the stream is.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from advisor.errors import UserError
from advisor.parsing.jsonl import BLOCK_BYTES, Block, file_ranges, is_stream, stream_blocks
from advisor.tokens.count import MemoEncoder
from advisor.tokens.long_text import BoundedEncoder
from advisor.tokens.tokenizer import TokenizerSpec, registered_tokenizers, set_plugin_tokenizers

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

R = TypeVar("R")
Work = Callable[[Any, Block], R]
SMALL_FILE = 2 * BLOCK_BYTES  # below this, one process does it all: forking costs more than it saves
MIN_BLOCK = 256 * 1024


@cache
def encoders(names: tuple[str, ...]) -> tuple[MemoEncoder, ...]:
    """Counting encoders for `names` (counting names: an encoding, in a chat format), built once per
    process (forked workers inherit them)."""
    from advisor.tokens.tokenizer import get_encoding

    return tuple(MemoEncoder(BoundedEncoder(get_encoding(name), name=name)) for name in names)


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


@dataclass(frozen=True)
class PreparedBlock(Block):
    """A block with what the command's own process already worked out from its bytes (`prepare` in
    BlockRunner.map), while the leader was still loading its tokenizers."""

    prepared: Any = None


def block_size(size: int, jobs: int) -> int:
    """Blocks small enough that every worker gets several (no core idles while the last one runs),
    large enough that handing them out costs little."""
    return max(MIN_BLOCK, min(BLOCK_BYTES, size // (jobs * 6) or MIN_BLOCK))


class BlockRunner:
    """Runs `work(settings, block)` over a source's blocks and yields the results in source order.

    Create it as early as possible (before importing the rest of the command and loading price tables)
    and use it as a context manager; `encodings` are the tokenizers the leader preloads (a guess: others
    are loaded when needed), `preload` the modules it imports after them, while the command is still
    setting up (those the work needs: otherwise they are imported when the work arrives)."""

    def __init__(
        self,
        path: str,
        *,
        jobs: int | None = None,
        encodings: tuple[str, ...] = ("o200k_base",),
        preload: tuple[str, ...] = (),
    ) -> None:
        self.path = path
        self.stream = is_stream(path)
        self.jobs = jobs or default_jobs()
        self._leader: Any = None
        self._conn: Any = None
        self._working = False
        try:
            size = 0 if self.stream else os.path.getsize(path)
        except OSError:
            size = 0
        self.size = size
        if not self.stream and self.jobs > 1 and size >= SMALL_FILE and _can_fork():
            import multiprocessing

            context = multiprocessing.get_context("fork")
            self._conn, theirs = context.Pipe()
            self._leader = context.Process(target=_lead, args=(theirs, encodings, preload))
            self._leader.start()
            theirs.close()

    def __enter__(self) -> BlockRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the leader: told to go if it has no work yet; its whole process group ended if the
        caller stopped reading results before the end (a bad line found early)."""
        leader, self._leader = self._leader, None
        if leader is None:
            return
        if not self._working:
            with contextlib.suppress(OSError):
                self._conn.send(None)
        elif leader.is_alive():
            with contextlib.suppress(OSError):
                os.killpg(leader.pid, signal.SIGKILL)
        self._conn.close()
        leader.join()

    def map(
        self,
        work: Work[R],
        settings: Any,
        encodings: tuple[str, ...],
        *,
        handle: BinaryIO | None = None,
        head: bytes = b"",
        block_bytes: int | None = None,
        prepare: Callable[[bytes], Any] | None = None,
    ) -> Iterator[R]:
        """The results of `work` over every block, in order. For a stream, `handle` and the `head`
        already read from it may be given. `prepare(data)` is part of the work that needs no
        tokenizer: while a leader loads its tokenizers, this process (idle then) works it out for the
        first blocks, and `work` gets those as PreparedBlocks."""
        if self.stream:
            from advisor.parsing.jsonl import open_stream

            stream = handle or open_stream(self.path)
            blocks: Iterator[Block] = stream_blocks(stream, self.path, head, block_bytes or BLOCK_BYTES)
            yield from _run(work, settings, encodings, blocks, self.jobs)
            return
        chunk = block_bytes or block_size(self.size, self.jobs)
        if self._leader is None:
            jobs = self.jobs if self.size >= SMALL_FILE or block_bytes else 1
            yield from _run(work, settings, encodings, file_ranges(self.path, chunk), jobs)
            return
        conn = self._conn
        # the plugins' tokenizers as they are now: the leader was forked before the command loaded plugins
        request = (work, settings, encodings, self.path, chunk, self.jobs, prepare is not None, registered_tokenizers())
        self._working = True
        try:
            conn.send(request)
            if prepare is not None:
                self._prepare_while_loading(prepare, chunk)
            yield from self._relayed(conn)
        except (EOFError, ConnectionError):
            raise UserError(
                "the scanning processes ended before the scan was done (killed, or out of memory?)",
                where=self.path,
                hint="run it again; with --jobs 1 it needs the least memory",
            ) from None
        self._working = False
        self.close()

    @staticmethod
    def _relayed(conn: Any) -> Iterator[Any]:
        """The leader's results, in file order, until it says it is done."""
        while True:
            kind, value = conn.recv()
            if kind == "part":
                yield value
            elif kind == "done":
                break
            elif kind == "ready":
                continue  # the leader has loaded its tokenizers (nothing was prepared meanwhile)
            elif kind == "error":
                message, where, hint = value
                raise UserError(message, where=where, hint=hint)
            else:
                raise RuntimeError(f"a scanning worker failed:\n{value}")

    def _prepare_while_loading(self, prepare: Callable[[bytes], Any], chunk: int) -> None:
        """`prepare` the first blocks, in order, until the leader says it is ready; then tell it how
        many were sent. The leader cuts the file into the same blocks."""
        conn = self._conn
        count = 0
        with open(self.path, "rb") as handle:
            for block in file_ranges(self.path, chunk):
                if conn.poll():
                    break
                handle.seek(block.start)
                conn.send(("prepared", (count, prepare(handle.read(block.end - block.start)))))
                count += 1
        conn.recv()  # ("ready", None): sent once the tokenizers are loaded
        conn.send(("go", count))


def _lead(conn: Any, encodings: tuple[str, ...], preload: tuple[str, ...] = ()) -> None:
    """The leader process: load the tokenizers and the work's modules, wait for the work, fork the
    workers, relay results."""
    import importlib

    os.setpgid(0, 0)  # its own group, with its workers: the command can end them all at once
    try:
        try:
            encoders(encodings)
            _shed_vocabularies(encodings)
        except Exception:
            pass  # a guess that fails (a damaged file) fails again when the work needs it, and is reported then
        for module in preload:
            importlib.import_module(module)
        import gc

        gc.freeze()  # the workers' collections leave the leader's objects (and their shared pages) alone
        conn.send(("ready", None))
        request = conn.recv()
        if request is None:
            return
        work, settings, wanted, path, chunk, jobs, prepared_here, tokenizers = request
        prepared: dict[int, Any] = {}
        while prepared_here:  # what the command prepared while this process loaded, up to its "go"
            kind, value = conn.recv()
            if kind == "go":
                break
            prepared[value[0]] = value[1]
        try:
            blocks = _with_prepared(file_ranges(path, chunk), prepared)
            for part in _run(work, settings, wanted, blocks, jobs, tokenizers):
                conn.send(("part", part))
            conn.send(("done", None))
        except UserError as exc:
            conn.send(("error", (exc.message, exc.where, exc.hint)))
        except Exception:
            import traceback

            conn.send(("crash", traceback.format_exc()))
    except (EOFError, OSError, KeyboardInterrupt):
        pass  # the command has gone: nothing to report to
    finally:
        conn.close()


def _with_prepared(blocks: Iterator[Block], prepared: dict[int, Any]) -> Iterator[Block]:
    """The blocks, each with what was prepared for it (by its position), if anything."""
    for index, block in enumerate(blocks):
        if index in prepared:
            yield PreparedBlock(block.start, block.end, block.data, block.last, prepared.pop(index))
        else:
            yield block


def _shed_vocabularies(names: tuple[str, ...]) -> None:
    """Drop the Python copy of each vocabulary in the leader, before it forks the workers.

    A tiktoken Encoding keeps the dict it was built from (about 22 MB for o200k_base) beside the
    tables its Rust core encodes with, and reads it only to be pickled; the leader and its workers only
    count. Nothing else runs in the leader, so it goes there, and every worker is spared its share."""
    from advisor.tokens.tokenizer import get_encoding

    for name in names:
        encoding = get_encoding(name)  # the one the encoders use (loaded once per process)
        if getattr(encoding, "_mergeable_ranks", None) is not None and hasattr(encoding, "_core_bpe"):
            encoding._mergeable_ranks = {}  # freed at once: a dict of bytes and ints holds no cycles


def _run(
    work: Work[R],
    settings: Any,
    encodings: tuple[str, ...],
    blocks: Iterator[Block],
    jobs: int,
    tokenizers: tuple[TokenizerSpec, ...] = (),
) -> Iterator[R]:
    """Blocks through a pool of `jobs` forked workers (or this process alone), at most two blocks per
    worker in flight, results in order."""
    if tokenizers and not registered_tokenizers():
        set_plugin_tokenizers(tokenizers)
    first = next(blocks, None)
    if first is None:
        return
    second = next(blocks, None)
    if jobs <= 1 or second is None:
        import itertools

        for block in itertools.chain([first], [] if second is None else [second], blocks):
            yield work(settings, block)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context: BaseContext
    if _can_fork():
        encoders(encodings)  # loaded here, shared by the forked workers
        context = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("spawn")
    import itertools

    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending: deque[Any] = deque()
        for block in itertools.chain([first, second], blocks):
            pending.append(pool.submit(work, settings, block))
            while len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
