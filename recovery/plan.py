"""The safety plan's sections: the Stanley-Brown Safety Planning Intervention."""

from django.utils.translation import gettext_lazy as _

# key, heading, prompt
SECTIONS = (
    ("warning_signs", _("My warning signs"),
     _("Thoughts, feelings, situations or cravings that tell me a hard time may be starting.")),
    ("on_my_own", _("Things I can do on my own"),
     _("Ways to take my mind off things without contacting anyone: a walk, music, a shower.")),
    ("distractions", _("People and places that take my mind off things"),
     _("People I can be around and places I can go, without having to talk about how I feel.")),
    ("people_to_ask", _("People I can ask for help"),
     _("Friends, family, a sponsor or peers I can tell that I'm struggling, with how to reach "
       "them.")),
    ("professionals", _("Professionals I can contact"),
     _("My doctor, counsellor, prescriber or treatment programme, with their numbers. Crisis "
       "lines for your country are listed below this section.")),
    ("safer_environment", _("Making my surroundings safer"),
     _("What I can do to keep away from things I could use to hurt myself or to use.")),
    ("reasons", _("My reasons for living and for my recovery"),
     _("The people, hopes and things that matter to me.")),
)  # fmt: skip
SECTION_KEYS = tuple(key for key, _heading, _prompt in SECTIONS)
SECTION_MAX_LENGTH = 2000
