"""Checks for the course's exercises: run a student's function, compare it with
the reference, and say in plain words what differs.

Each ``check_<name>(student_fn)`` tries the function on random inputs and on
edge cases. It prints a short success line, or raises :class:`ExerciseError`
(an ``AssertionError``) that names the input, what was expected, what came
back and, where a common mistake fits the numbers, a hint. The reference
implementation is never printed.

One module per notebook topic, every check re-exported here: :mod:`~tutorial_lib.exercises.warmup` (00),
:mod:`~tutorial_lib.exercises.gan` (01), :mod:`~tutorial_lib.exercises.training` (01–02),
:mod:`~tutorial_lib.exercises.conditional_gan` (02),
:mod:`~tutorial_lib.exercises.mode_collapse` (03), :mod:`~tutorial_lib.exercises.style` (04–05),
:mod:`~tutorial_lib.exercises.inpaint` (06), :mod:`~tutorial_lib.exercises.feedforward` (07),
:mod:`~tutorial_lib.exercises.cyclegan` (08) and :mod:`~tutorial_lib.exercises.privacy` (09).
"""

from ._core import ExerciseError
from .conditional_gan import check_conditional_gan
from .cyclegan import check_cycle_consistency_loss
from .feedforward import check_adain
from .gan import check_discriminator_loss, check_nonsaturating_generator_loss
from .inpaint import check_inpainting_loss
from .mode_collapse import check_mode_coverage
from .privacy import check_clip_per_sample
from .style import check_gram_matrix, check_style_loss, check_total_variation
from .training import check_optimal_discriminator, check_training_step
from .warmup import check_luminance

__all__ = [
    "check_clip_per_sample",
    "ExerciseError",
    "check_adain",
    "check_conditional_gan",
    "check_cycle_consistency_loss",
    "check_discriminator_loss",
    "check_gram_matrix",
    "check_inpainting_loss",
    "check_luminance",
    "check_mode_coverage",
    "check_nonsaturating_generator_loss",
    "check_optimal_discriminator",
    "check_style_loss",
    "check_total_variation",
    "check_training_step",
]
