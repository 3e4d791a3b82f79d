import telinject_runtime as _telinject  # isort: skip
import time


def measured():
    with _telinject.span("optout.measured"):
        return time.time()


# telinject: ignore
def hot_loop():
    return 1


def also_ignored():  # telinject: ignore
    def nested_in_ignored():
        return 2
    return nested_in_ignored()


def measured_too():
    with _telinject.span("optout.measured_too"):
        return 3
