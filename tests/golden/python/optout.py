import time


def measured():
    return time.time()


# telinject: ignore
def hot_loop():
    return 1


def also_ignored():  # telinject: ignore
    def nested_in_ignored():
        return 2
    return nested_in_ignored()


def measured_too():
    return 3
