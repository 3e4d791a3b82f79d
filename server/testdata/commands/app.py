def on_disk():
    return 1
