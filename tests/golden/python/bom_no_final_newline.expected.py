"""BOM file."""
import telinject_runtime as _telinject  # isort: skip


def bom():
    with _telinject.span("bom_no_final_newline.bom"):
        return 1