import pytest

from digitkit.data.augment import AugmentConfig
from digitkit.errors import ConfigError, UnknownNameError
from digitkit.train.recipe import available_recipes, load_recipe


def test_committed_recipes_load():
    assert {"default", "smoke"} <= set(available_recipes())
    for name in available_recipes():
        recipe = load_recipe(name)
        assert recipe.name == name and recipe.epochs >= 1


def test_augment_table_becomes_config(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text('architecture = "convnet_tiny"\n[augment]\nrotate = 5.0\nscale = [0.9, 1.1]\n')
    recipe = load_recipe(str(path))
    assert recipe.augment == AugmentConfig(rotate=5.0, scale=(0.9, 1.1))


def test_augment_false_turns_it_off(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text('architecture = "convnet_tiny"\naugment = false\n')
    assert load_recipe(str(path)).augment is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('architecture = "convnet_tiny"\nepochz = 3\n', "unknown key"),
        ('architecture = "convnet_tiny"\noptimizer = "adagrad"\n', "optimizer must be one of"),
        ('architecture = "convnet_tiny"\n[augment]\nspin = 1\n', "unknown augment key"),
        ("architecture = \n", "not valid TOML"),
    ],
)
def test_bad_recipes_name_the_problem(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_recipe(str(path))


def test_unknown_recipe_lists_the_known_ones():
    with pytest.raises(UnknownNameError, match="default"):
        load_recipe("no-such-recipe")
