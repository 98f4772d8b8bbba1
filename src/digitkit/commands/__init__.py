"""One module per CLI subcommand: each has ``register(subparsers)`` and a ``run(args)`` it sets as default."""
