import torch

from tutorial_lib.applications.pretrained import pretrained_dir, trained_conditional_dcgan


def test_second_call_loads_the_cached_checkpoint(tmp_path):
    G1, h1 = trained_conditional_dcgan(3, dataset="digits", cache=tmp_path, progress=False)
    assert (tmp_path / "checkpoint.pt").is_file() and len(h1) == 3
    written = (tmp_path / "checkpoint.pt").stat().st_mtime_ns
    G2, h2 = trained_conditional_dcgan(3, dataset="digits", cache=tmp_path, progress=False)
    assert len(h2) == 3 and h2.loss_d == h1.loss_d
    assert (tmp_path / "checkpoint.pt").stat().st_mtime_ns == written  # loaded, not trained again
    for a, b in zip(G1.state_dict().values(), G2.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    assert not G2.training and not any(p.requires_grad for p in G2.parameters())


def test_default_cache_folder_is_in_the_course_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("TUTORIAL_CACHE_DIR", str(tmp_path))
    assert pretrained_dir("animals", 1500, 0) == tmp_path / "gan" / "animals-1500steps-seed0"
    state = torch.get_rng_state()
    trained_conditional_dcgan(2, dataset="digits", progress=False)
    assert (tmp_path / "gan" / "digits-2steps-seed0" / "checkpoint.pt").is_file()
    assert torch.equal(torch.get_rng_state(), state)  # the caller's random state is untouched
