"""The built-in subject's ``lenet`` commands (``train``, ``cache``, ``data``, ``concepts``, ``inspect``,
``movie``), registered through ``lenet.subjects.commands()``. Each module defines HELP,
add_arguments(parser), run(args) -> int."""
