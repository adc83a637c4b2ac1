"""The built-in subject ``lenet-mnist``: LeNet-5 on MNIST
(``subject.LenetMnist``) and everything only it knows.

``model``, ``data``, ``train`` (with ``recorder``), ``checkpoint``, ``reference``
(committed seeds), ``cache`` (trained seeds), ``activations`` (capture),
``interventions`` (downstream-only edits and rank-1 sweeps), ``concepts`` (with
``detectors`` and hand ``labels``), ``perturb``, ``planting``, the MNIST checksums
(``mnist.sha256``) and its ``lenet`` commands (``commands``). Only
``lenet.subjects`` imports this package (an import contract checks it); this
module stays empty so importing it loads no torch.
"""
