"""lenet-claims: interpretability claims about a LeNet-5, checked with real experiments.

Folders are the stages of the data flow: ``claims`` (the file format) ->
``run`` (a claim run on its subject: outcomes, rows, seeds) -> ``checks`` (one
module each) -> ``subjects`` (the registry) -> ``subject`` (what every subject
offers) / ``lenet_mnist`` (the built-in LeNet-5 on MNIST) -> ``stats``
(statistics and verdicts); ``discovery``, ``report``, ``cli`` and ``plugin`` on
top. pyproject.toml's import contracts hold that order. Import modules
directly; this package module stays empty so ``import lenet`` (and the pytest
plugin) never pulls in torch.
"""

__version__ = "0.1.0"
