"""Reading a CSV of answers for `score` in a thread, block by block: started as early as the header is known.

Kept apart from risk.batch_arrow, which renders (and imports pyarrow.compute, ~50 ms): `score` starts reading
here as soon as it knows the separator and the answer columns, and imports and plans the rest while pyarrow
parses the first blocks on the other core. The thread turns each block's answers into one byte a cell (0 yes,
1 no, 2 unknown, 3 empty, 4 not an answer) with Arrow's index_in; pyarrow.compute is imported there, when the
first block is ready.
"""

from __future__ import annotations

import functools
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from risk.batch import OpenedCsv

if TYPE_CHECKING:
    import pyarrow.compute as pc

BLOCK_BYTES = 1 << 20  # bytes parsed at a time: pyarrow reads ahead some blocks, so small blocks keep memory low
AHEAD = 6  # batches parsed ahead of the one scored: at the start, while the rest is loaded (~6 MB more than 2)
ANSWERS = ("yes", "no", "unknown", "")  # kinds 0 to 3, in this order

T = TypeVar("T")
Prepared = tuple[np.ndarray, pa.RecordBatch]


class Unsupported(Exception):
    """pyarrow does not read this file as pandas would; use the pandas path."""


def ints(values: np.ndarray) -> pa.Array:
    """int32 numpy values as an Arrow array, sharing their memory."""
    values = np.ascontiguousarray(values, dtype=np.int32)
    return pa.Array.from_buffers(pa.int32(), len(values), [None, pa.py_buffer(values)])


def strings(values: list[str], kind: pa.DataType | None = None) -> pa.Array:
    """Python strings as an Arrow string array (or binary: their UTF-8 bytes)."""
    data = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(data) + 1, dtype=np.int32)
    np.cumsum([len(d) for d in data], out=offsets[1:])
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))]
    return pa.Array.from_buffers(kind or pa.string(), len(data), buffers)


# pyarrow imports pandas (0.2 s of start-up) the first time pa.array or to_numpy(zero_copy_only=False) runs:
# the few arrays built here are built from their buffers instead.


@functools.cache
def _answer_set() -> pc.SetLookupOptions:
    import pyarrow.compute as pc

    return pc.SetLookupOptions(strings(list(ANSWERS), pa.binary()))


@functools.cache
def _int_4() -> pa.Scalar:
    return ints(np.array([4]))[0]


def kind_codes(chunk: pa.Array) -> np.ndarray:
    """Each cell's kind: 0 yes, 1 no, 2 unknown, 3 empty, 4 not an answer (a hash lookup in Arrow; the
    answer columns are read as bytes, since only their cells that are not an answer can fail UTF-8)."""
    import pyarrow.compute as pc

    found = pc.index_in(chunk, options=_answer_set())
    if found.null_count:
        found = pc.fill_null(found, _int_4())
    return np.frombuffer(found.buffers()[1], dtype=np.int32)[found.offset : found.offset + len(found)]


class Ahead(Iterator[T]):
    """The reader's items, made by a thread (started at once) AHEAD items ahead of the caller: pyarrow parses
    (and numpy and Arrow compute functions work) without the GIL, so making the next block runs beside the
    scoring and writing of this one (2 cores: ~1.6 x). An error in the thread is raised here; `close` (also
    at the end, or after an error) stops the thread."""

    def __init__(self, reader: Iterable[T]) -> None:
        self._ready: queue.Queue[T | BaseException | None] = queue.Queue(maxsize=AHEAD)
        self._stop = threading.Event()
        self._done = False
        self._thread = threading.Thread(target=self._parse, args=(reader,), name="samrisk-csv-parse", daemon=True)
        self._thread.start()

    def _put(self, item: T | BaseException | None) -> bool:
        while not self._stop.is_set():
            try:
                self._ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _parse(self, reader: Iterable[T]) -> None:
        try:
            for batch in reader:
                if not self._put(batch):
                    return
            self._put(None)
        except BaseException as e:  # handed to the caller's thread, raised there
            self._put(e)

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        item = self._ready.get()
        if item is None or isinstance(item, BaseException):
            self.close()
            if item is None:
                raise StopIteration
            raise item
        return item

    def close(self) -> None:
        self._done = True
        self._stop.set()
        self._thread.join()


class Reading(Ahead[Prepared]):
    """A CSV being read in a thread: each block with the kinds of its `present` answer columns (rows x columns,
    column-major), made in the thread too (the two threads share the work)."""

    def __init__(self, opened: OpenedCsv, present: list[str]) -> None:
        self.present = present
        super().__init__(self._blocks(opened, present))

    @staticmethod
    def _blocks(opened: OpenedCsv, present: list[str]) -> Iterator[Prepared]:
        """The CSV block by block, every cell a string, except the answer columns: bytes (parsed faster than as
        strings, which are checked for UTF-8, or dictionaries). Runs in the thread."""
        if not opened.sep.isascii():
            raise Unsupported("pyarrow separates by one byte")
        data = opened.data
        source = data if isinstance(data, str) else pa.BufferReader(pa.py_buffer(data.getbuffer()))
        answers = set(present)
        try:
            reader = pacsv.open_csv(
                source,
                read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES, use_threads=True),
                parse_options=pacsv.ParseOptions(
                    delimiter=opened.sep, newlines_in_values=True, ignore_empty_lines=True
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={name: pa.binary() if name in answers else pa.string() for name in opened.header},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            if reader.schema.names != opened.header:
                raise Unsupported("the columns pyarrow read are not those of the header")
            for batch in reader:
                kinds = np.empty((batch.num_rows, len(present)), dtype=np.int8, order="F")
                for j, item in enumerate(present):
                    kinds[:, j] = kind_codes(batch.column(item))
                yield kinds, batch
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as e:
            raise Unsupported(str(e)) from None


def answer_columns(items: Iterable[str], header: list[str]) -> list[str]:
    """The checklist's items that are columns of the file, in the checklist's order (the order kinds are in)."""
    names = set(header)
    return [item for item in items if item in names]
