"""A small residual CNN on MNIST: the worked example of a subject declared by a project (docs/subjects.md)."""
