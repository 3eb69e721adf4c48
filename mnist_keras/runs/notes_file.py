"""notes.json: what a person wrote about a run, tags and a note.

    {"schema_version", "tags": ["baseline", ...], "note": "first try"}

Read and written by the run store (`Run.notes`, `Run.write_notes`); the runs
table edits it and filters by it.
"""

import dataclasses

from mnist_keras.errors import MnistKerasError
from mnist_keras.runs.versioning import RunFormatError, check_version, known_fields, versioned

# A run's tags and note: a few words each, a paragraph.
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
MAX_NOTE_LENGTH = 2_000


@dataclasses.dataclass(frozen=True)
class RunNotes:
    """notes.json: what a person wrote about a run: tags and a note.

    Attributes:
        tags: up to 20 tags, each 1-40 characters without commas or line
            breaks, spaces at their ends trimmed, each once (first spelling kept).
        note: free text of up to 2,000 characters.

    >>> RunNotes.of(" baseline, augmented ,baseline", "first try").tags
    ('baseline', 'augmented')
    """

    tags: tuple = ()
    note: str = ""

    @classmethod
    def of(cls, tags, note=""):
        """Checked notes from tags (a list, or text split at commas) and a note.

        Raises:
            MnistKerasError: for too many or too long tags, a tag with a line
                break, or a note that is too long.
        """
        if isinstance(tags, str):
            tags = tags.split(",")
        if not isinstance(tags, (list, tuple)) or not all(isinstance(t, str) for t in tags):
            raise MnistKerasError(f"Expected tags as text. Received: {str(tags)[:60]}")
        kept = []
        for tag in (t.strip() for t in tags):
            if not tag or tag.lower() in (k.lower() for k in kept):
                continue
            if len(tag) > MAX_TAG_LENGTH or any(c in tag for c in ",\n\r\t"):
                raise MnistKerasError(f"Expected tags of at most {MAX_TAG_LENGTH} characters "
                                      f"on one line. Received: {tag[:60]!r}")
            kept.append(tag)
        if len(kept) > MAX_TAGS:
            raise MnistKerasError(f"Expected at most {MAX_TAGS} tags. Received: {len(kept)}")
        if not isinstance(note, str) or len(note) > MAX_NOTE_LENGTH:
            raise MnistKerasError(f"Expected a note of at most {MAX_NOTE_LENGTH:,} characters. "
                                  f"Received: {len(note) if isinstance(note, str) else note!r}")
        return cls(tags=tuple(kept), note=note.strip())

    def to_dict(self):
        return versioned({"tags": list(self.tags), "note": self.note})

    @classmethod
    def from_dict(cls, data, run_name=None):
        values = known_fields(cls, check_version(data, "notes.json", run_name))
        try:
            return cls.of(values.get("tags", ()), values.get("note", ""))
        except MnistKerasError as error:
            where = f"{run_name}/notes.json" if run_name else "notes.json"
            raise RunFormatError(f"Expected tags and a note in {where}. Received: "
                                 f"{str(error)[:200]}") from None
