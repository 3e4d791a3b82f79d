"""BOM file."""
import telinject_runtime as _telinject  # telinject


def bom():
    with _telinject.span("bom_no_final_newline.bom"):
        return 1