"""lenet-claims: interpretability claims about a LeNet-5, checked with real experiments.

Modules, one noun each: ``model``, ``data``, ``train`` (with ``recorder``),
``checkpoint``, ``cache``, ``cli``. Import them directly; this package module
stays empty so ``import lenet`` (and the pytest plugin) never pulls in torch.
"""

__version__ = "0.1.0"
