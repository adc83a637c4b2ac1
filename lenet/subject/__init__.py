"""The subject line: what every subject offers and the generic code that works on any subject.

``subject`` (the ``Subject`` protocol and the split names), ``layers`` (layer
tables), ``units`` (unit addresses), ``values`` (a unit's one number per image),
``effects`` (what an intervention did), ``perturbation`` and ``plant`` (the
arguments of two optional capabilities), ``baseline`` (untrained networks'
selectivity) and ``match`` (units carried across training seeds). Nothing here
knows LeNet or MNIST; the built-in subject is ``lenet.lenet_mnist``, named by
``lenet.subjects``. Import the modules; nothing is re-exported.
"""
