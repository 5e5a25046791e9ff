"""OnlineClusterer is an estimator in the scikit-learn manner: its parameters are
stored as given and documented, and what a None parameter stands for is a property."""
import inspect

from couverture.cluster import OnlineClusterer
from couverture.cluster.similarity import DecisionModel


def test_every_parameter_is_stored_as_given_and_documented():
    parameters = [name for name in inspect.signature(OnlineClusterer).parameters]
    default = OnlineClusterer()
    for name in parameters:
        assert getattr(default, name) == inspect.signature(OnlineClusterer).parameters[name].default, name
        assert f"\n    {name} : " in OnlineClusterer.__doc__, f"{name} is not documented"
    own = DecisionModel(bias=-1.0, weights={"dense": 2.0}, threshold=0.4)
    given = OnlineClusterer(decision=own, max_dormant=3, window_days=2.0)
    assert given.decision is own and given.join_model is own and given.short_join_model is own
    assert given.max_dormant == 3 and given.dormant_limit == 3 and given.window.days == 2
    assert default.max_dormant is None and default.dormant_limit == default.max_active
    assert default.decision is None and default.join_model is not None


def test_public_methods_are_documented_and_partial_fit_is_gone():
    assert not hasattr(OnlineClusterer, "partial_fit")
    for name, member in inspect.getmembers(OnlineClusterer):
        if not name.startswith("_") and (inspect.isfunction(member) or isinstance(member, property)):
            assert (member.__doc__ or "").strip(), f"OnlineClusterer.{name} has no docstring"
