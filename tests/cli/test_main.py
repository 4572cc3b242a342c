import subprocess
import sys


def test_info_command_reports_environment():
    result = subprocess.run([sys.executable, "-m", "tutorial_lib", "info"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "profile: default" in result.stdout
    assert "Feature extractor: vgg16-hed" in result.stdout


def test_unknown_command_fails_with_usage():
    result = subprocess.run([sys.executable, "-m", "tutorial_lib", "dance"], capture_output=True, text=True)
    assert result.returncode == 2 and "invalid choice" in result.stderr
