"""The HTML report of a run: ``html`` (the page, from a run's JSON document) and ``unit_pictures`` (a checked
unit's figures, movie and counterexample). The drawing itself is ``lenet.pictures``. Import the modules."""
