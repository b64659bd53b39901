"""The console's own words (labels, buttons, messages), in French and English.

These are the staff's interface, not texts the bot sends users (those are in `messages/`)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "title": {"fr": "Console Tremplin", "en": "Tremplin console"},
    "skip": {"fr": "Aller au contenu", "en": "Skip to content"},
    "sign_in": {"fr": "Se connecter", "en": "Sign in"},
    "sign_out": {"fr": "Se déconnecter", "en": "Sign out"},
    "email": {"fr": "Adresse e-mail", "en": "E-mail address"},
    "password": {"fr": "Mot de passe", "en": "Password"},
    "wrong": {
        "fr": "Adresse ou mot de passe incorrect.",
        "en": "Wrong e-mail address or password.",
    },
    "throttled": {
        "fr": "Trop d'essais. Réessayez dans {minutes} min.",
        "en": "Too many attempts. Try again in {minutes} min.",
    },
    "expired": {
        "fr": "Votre session a expiré après une période d'inactivité. Reconnectez-vous.",
        "en": "Your session expired after a period of inactivity. Please sign in again.",
    },
    "signed_out": {"fr": "Vous êtes déconnecté.", "en": "You are signed out."},
    "csrf": {
        "fr": "Ce formulaire a expiré ou ne vient pas de la console. Rechargez la page et "
        "réessayez : rien n'a été perdu ni modifié.",
        "en": "This form expired or did not come from the console. Reload the page and try "
        "again: nothing was lost or changed.",
    },
    "not_found": {"fr": "Page introuvable.", "en": "Page not found."},
    "not_found_long": {
        "fr": "Cette page n'existe pas ou ne vous est pas accessible.",
        "en": "This page does not exist or is not available to you.",
    },
    "back_inbox": {"fr": "Retour à la boîte de réception", "en": "Back to the inbox"},
    "inbox": {"fr": "Boîte de réception", "en": "Inbox"},
    "audit": {"fr": "Journal d'audit", "en": "Audit log"},
    "accounts": {"fr": "Comptes", "en": "Accounts"},
    "export": {"fr": "Exporter (CSV)", "en": "Export (CSV)"},
    "language": {"fr": "Langue", "en": "Language"},
    "time_zone": {"fr": "Fuseau horaire", "en": "Time zone"},
    "save": {"fr": "Enregistrer", "en": "Save"},
    "state_new": {"fr": "Nouvelle", "en": "New"},
    "state_waiting": {"fr": "Attend une réponse", "en": "Waiting for a reply"},
    "state_talking": {"fr": "En conversation", "en": "In conversation"},
    "state_closed": {"fr": "Clôturée", "en": "Closed"},
    "all_states": {"fr": "Tous les états", "en": "All states"},
    "state": {"fr": "État", "en": "State"},
    "departement": {"fr": "Département", "en": "Département"},
    "from_date": {"fr": "Reçue depuis le", "en": "Received from"},
    "to_date": {"fr": "Reçue jusqu'au", "en": "Received until"},
    "since": {"fr": "Depuis le", "en": "From"},
    "until": {"fr": "Jusqu'au", "en": "Until"},
    "search": {"fr": "Rechercher", "en": "Search"},
    "search_hint": {
        "fr": "prénom, métier enregistré, mot de la conversation",
        "en": "first name, saved career, word in the conversation",
    },
    "filter": {"fr": "Filtrer", "en": "Filter"},
    "clear": {"fr": "Effacer", "en": "Clear"},
    "unread": {"fr": "non lu", "en": "unread"},
    "overdue": {"fr": "en retard", "en": "overdue"},
    "unread_count": {"fr": "non lues", "en": "unread"},
    "overdue_count": {"fr": "en retard", "en": "overdue"},
    "waiting_for": {"fr": "attend depuis {duration}", "en": "waiting for {duration}"},
    "received": {"fr": "Reçue", "en": "Received"},
    "person": {"fr": "Personne", "en": "Person"},
    "careers": {"fr": "Métiers enregistrés", "en": "Saved careers"},
    "no_referrals": {
        "fr": "Aucune demande ne correspond.",
        "en": "No referral matches.",
    },
    "page_of": {"fr": "Page {page} sur {pages}", "en": "Page {page} of {pages}"},
    "previous": {"fr": "Précédente", "en": "Previous"},
    "next": {"fr": "Suivante", "en": "Next"},
    "referral": {"fr": "Demande n° {id}", "en": "Referral #{id}"},
    "shared": {
        "fr": "Ce que la personne a accepté de partager",
        "en": "What the person agreed to share",
    },
    "first_name": {"fr": "Prénom", "en": "First name"},
    "situation": {"fr": "Situation", "en": "Situation"},
    "age_band": {"fr": "Tranche d'âge", "en": "Age band"},
    "career": {"fr": "Métier visé", "en": "Career in view"},
    "interest": {"fr": "intérêt", "en": "interest"},
    "ready": {"fr": "prêt·e à se former", "en": "ready to train"},
    "not_shared": {"fr": "non partagé", "en": "not shared"},
    "conversation": {"fr": "Conversation", "en": "Conversation"},
    "conversation_not_shared": {
        "fr": "La personne n'a pas partagé sa conversation avec le bot : seuls vos échanges "
        "sont affichés.",
        "en": "The person did not share their conversation with the bot: only your exchange "
        "is shown.",
    },
    "older_hidden": {
        "fr": "Seules les {n} dernières lignes sont affichées.",
        "en": "Only the last {n} lines are shown.",
    },
    "from_user": {"fr": "Personne", "en": "Person"},
    "from_bot": {"fr": "Bot", "en": "Bot"},
    "from_coach": {"fr": "Conseiller·ère", "en": "Coach"},
    "pressed": {"fr": "a appuyé sur le bouton", "en": "pressed the button"},
    "command": {"fr": "commande", "en": "command"},
    "not_delivered": {"fr": "non remis", "en": "not delivered"},
    "reply": {"fr": "Votre réponse", "en": "Your reply"},
    "reply_hint": {
        "fr": "Envoyée tout de suite à la personne par le bot, avec votre prénom. "
        "{max} caractères au plus.",
        "en": "Sent to the person by the bot at once, with your first name. At most {max} "
        "characters.",
    },
    "send": {"fr": "Envoyer", "en": "Send"},
    "canned": {"fr": "Réponse type", "en": "Canned reply"},
    "canned_none": {"fr": "— choisir —", "en": "— choose —"},
    "canned_replies": {"fr": "Réponses types", "en": "Canned replies"},
    "canned_manage": {"fr": "Gérer les réponses types", "en": "Manage canned replies"},
    "canned_intro": {
        "fr": "Les réponses prêtes à l'emploi que la zone de réponse propose aux conseillers du "
        "programme. Elles partent telles quelles (le HTML est montré tel quel à la personne).",
        "en": "Ready-made replies the reply box offers the programme's coaches. They are sent as "
        "written (HTML is shown literally to the person).",
    },
    "canned_nothing": {
        "fr": "Aucune réponse type enregistrée pour l'instant.",
        "en": "No canned reply saved yet.",
    },
    "canned_title": {"fr": "Titre", "en": "Title"},
    "canned_text": {"fr": "Texte", "en": "Text"},
    "canned_save": {"fr": "Enregistrer", "en": "Save"},
    "canned_show": {"fr": "Afficher", "en": "Show"},
    "canned_delete": {"fr": "Supprimer", "en": "Delete"},
    "canned_new": {"fr": "Nouvelle réponse type", "en": "New canned reply"},
    "canned_new_title": {"fr": "Titre de la réponse", "en": "Title of the reply"},
    "canned_new_text": {"fr": "Texte de la réponse", "en": "Text of the reply"},
    "canned_add": {"fr": "Ajouter la réponse type", "en": "Add the canned reply"},
    "canned_hint": {"fr": "{max} caractères au plus.", "en": "At most {max} characters."},
    "m_canned_added": {"fr": "Réponse type ajoutée.", "en": "Canned reply added."},
    "m_canned_saved": {"fr": "Réponse type enregistrée.", "en": "Canned reply saved."},
    "m_canned_removed": {"fr": "Réponse type supprimée.", "en": "Canned reply deleted."},
    "e_canned_empty": {
        "fr": "Le titre et le texte sont obligatoires : rien n'a été enregistré.",
        "en": "Both the title and the text are needed: nothing was saved.",
    },
    "e_canned_title_too_long": {
        "fr": "Le titre dépasse {title_max} caractères : rien n'a été enregistré.",
        "en": "The title is over {title_max} characters: nothing was saved.",
    },
    "e_canned_too_long": {
        "fr": "Le texte dépasse {max} caractères ({length}) : raccourcissez-le, rien n'a été "
        "enregistré.",
        "en": "The text is over {max} characters ({length}): shorten it, nothing was saved.",
    },
    "insert": {"fr": "Insérer", "en": "Insert"},
    "notes": {"fr": "Notes privées", "en": "Private notes"},
    "notes_hint": {
        "fr": "Visibles seulement par les conseillers de votre programme.",
        "en": "Only your programme's coaches see them.",
    },
    "new_note": {"fr": "Nouvelle note", "en": "New note"},
    "add_note": {"fr": "Ajouter la note", "en": "Add the note"},
    "no_notes": {"fr": "Aucune note.", "en": "No notes."},
    "accept": {"fr": "Prendre en charge", "en": "Take this referral"},
    "outcome": {"fr": "Résultat", "en": "Outcome"},
    "close": {"fr": "Clôturer et demander l'avis", "en": "Close and ask for feedback"},
    "close_hint": {
        "fr": "La personne reçoit la question de satisfaction.",
        "en": "The person is asked the satisfaction question.",
    },
    "save_outcome": {"fr": "Corriger le résultat", "en": "Correct the outcome"},
    "outcome_started_training": {"fr": "Formation commencée", "en": "Training started"},
    "outcome_found_job": {"fr": "Emploi trouvé", "en": "Job found"},
    "outcome_no_answer": {"fr": "Pas de réponse", "en": "No answer"},
    "outcome_not_interested": {
        "fr": "Pas intéressé·e / pas éligible",
        "en": "Not interested / not eligible",
    },
    "outcome_other": {"fr": "Autre", "en": "Other"},
    "satisfaction": {"fr": "Avis de la personne", "en": "The person's feedback"},
    "satisfaction_waiting": {
        "fr": "Question posée, pas encore de réponse.",
        "en": "Asked, no answer yet.",
    },
    "satisfaction_score": {"fr": "{score} sur 5", "en": "{score} out of 5"},
    "promised_by": {"fr": "Réponse promise avant", "en": "Answer promised by"},
    "m_sent": {"fr": "Réponse envoyée.", "en": "Reply sent."},
    "m_note": {"fr": "Note ajoutée.", "en": "Note added."},
    "m_accepted": {"fr": "Demande prise en charge.", "en": "Referral taken."},
    "m_closed": {
        "fr": "Demande clôturée ; la question de satisfaction est partie.",
        "en": "Referral closed; the satisfaction question was sent.",
    },
    "m_closed_unsent": {
        "fr": "Demande clôturée, mais la question de satisfaction n'a pas pu être remise.",
        "en": "Referral closed, but the satisfaction question could not be delivered.",
    },
    "m_outcome": {"fr": "Résultat corrigé.", "en": "Outcome corrected."},
    "e_empty": {
        "fr": "Le texte est vide : rien n'a été envoyé.",
        "en": "The text is empty: nothing was sent.",
    },
    "e_too_long": {
        "fr": "Le texte dépasse {max} caractères ({length}) : raccourcissez-le, rien n'a "
        "été envoyé.",
        "en": "The text is over {max} characters ({length}): shorten it, nothing was sent.",
    },
    "e_closed": {
        "fr": "Cette demande est clôturée : rien n'a été envoyé.",
        "en": "This referral is closed: nothing was sent.",
    },
    "e_unreachable": {
        "fr": "La personne a bloqué le bot : votre réponse ne peut pas lui parvenir. "
        "Elle est enregistrée comme non remise.",
        "en": "The person blocked the bot: your reply cannot reach them. It is kept as not "
        "delivered.",
    },
    "e_unreachable_before": {
        "fr": "La personne a bloqué le bot : rien n'a été envoyé. Votre texte est resté "
        "dans la zone de réponse.",
        "en": "The person blocked the bot: nothing was sent. Your text is still in the box.",
    },
    "e_retry_later": {
        "fr": "Telegram demande d'attendre un peu : la réponse est enregistrée mais pas encore "
        "remise. Réessayez dans une minute.",
        "en": "Telegram asks to wait a little: the reply is saved but not delivered yet. Try "
        "again in a minute.",
    },
    "e_failed": {
        "fr": "L'envoi a échoué : la réponse est enregistrée comme non remise.",
        "en": "Sending failed: the reply is kept as not delivered.",
    },
    "e_gone": {
        "fr": "Cette demande n'est plus disponible (consentement retiré ou données "
        "effacées) : rien n'a été envoyé.",
        "en": "This referral is no longer available (consent withdrawn or data erased): "
        "nothing was sent.",
    },
    "e_outcome": {"fr": "Choisissez un résultat.", "en": "Choose an outcome."},
    "e_not_closed": {"fr": "La demande n'est pas clôturée.", "en": "The referral is not closed."},
    "gone_live": {
        "fr": "Cette demande n'est plus disponible : la personne a retiré son consentement "
        "ou effacé ses données.",
        "en": "This referral is no longer available: the person withdrew their consent or "
        "erased their data.",
    },
    "new_lines": {"fr": "Nouveau message", "en": "New message"},
    "who": {"fr": "Qui", "en": "Who"},
    "what": {"fr": "Quoi", "en": "What"},
    "when": {"fr": "Quand", "en": "When"},
    "detail": {"fr": "Détail", "en": "Detail"},
    "all_actions": {"fr": "Toutes les actions", "en": "All actions"},
    "action": {"fr": "Action", "en": "Action"},
    "account": {"fr": "Compte (e-mail)", "en": "Account (e-mail)"},
    "programme": {"fr": "Programme", "en": "Programme"},
    "entries": {"fr": "{n} entrées", "en": "{n} entries"},
    "role": {"fr": "Rôle", "en": "Role"},
    "active": {"fr": "actif", "en": "active"},
    "disabled": {"fr": "désactivé", "en": "disabled"},
    "disable": {"fr": "Désactiver", "en": "Disable"},
    "enable": {"fr": "Réactiver", "en": "Enable"},
    "reset_password": {"fr": "Nouveau mot de passe", "en": "New password"},
    "create_account": {"fr": "Créer le compte", "en": "Create the account"},
    "name": {"fr": "Nom affiché", "en": "Display name"},
    "last_login": {"fr": "Dernière connexion", "en": "Last sign-in"},
    "password_once": {
        "fr": "Mot de passe de {email}, affiché une seule fois : {password}",
        "en": "Password for {email}, shown once: {password}",
    },
    "operator_home": {
        "fr": "Les pages des opérateurs (textes, programmes, tableau de bord) arrivent bientôt.",
        "en": "The operators' pages (texts, programmes, dashboard) are coming soon.",
    },
    "home": {"fr": "Accueil", "en": "Home"},
    "forbidden": {
        "fr": "Cette page est réservée aux opérateurs et aux administrateurs.",
        "en": "This page is for operators and admins only.",
    },
    "texts": {"fr": "Textes du bot", "en": "Bot texts"},
    "texts_count": {"fr": "{n} textes", "en": "{n} texts"},
    "texts_search_hint": {"fr": "clé ou mots du texte", "en": "key or words of the text"},
    "purpose": {"fr": "Rôle", "en": "Purpose"},
    "variables": {"fr": "Variables (exemple)", "en": "Variables (sample)"},
    "overridden": {"fr": "Modifié", "en": "Overridden"},
    "shipped": {"fr": "d'origine", "en": "shipped"},
    "edit_text": {"fr": "Texte ({code})", "en": "Text ({code})"},
    "programme_override": {
        "fr": "Programme partenaire (vide : texte général)",
        "en": "Partner programme (empty: the general text)",
    },
    "open": {"fr": "Ouvrir", "en": "Open"},
    "preview": {"fr": "Aperçu dans Telegram", "en": "Preview in Telegram"},
    "preview_hint": {
        "fr": "Rendu avec les valeurs d'exemple, mis à jour pendant la frappe.",
        "en": "Rendered with the sample values, updated as you type.",
    },
    "checks_ok": {"fr": "Prêt à publier.", "en": "Ready to publish."},
    "length": {"fr": "Longueur", "en": "Length"},
    "limit": {"fr": "Limite", "en": "Limit"},
    "comment": {"fr": "Commentaire (facultatif)", "en": "Comment (optional)"},
    "save_draft": {"fr": "Enregistrer le brouillon", "en": "Save the draft"},
    "publish": {"fr": "Publier", "en": "Publish"},
    "versions": {"fr": "Versions", "en": "Versions"},
    "version": {"fr": "Version", "en": "Version"},
    "version_n": {"fr": "version {n}", "en": "version {n}"},
    "in_force": {"fr": "en vigueur", "en": "in force"},
    "draft": {"fr": "brouillon", "en": "draft"},
    "shipped_text": {"fr": "texte d'origine", "en": "shipped text"},
    "rollback": {"fr": "Revenir à cette version", "en": "Roll back to this version"},
    "compare": {"fr": "Comparer", "en": "Compare"},
    "diff": {"fr": "Différences", "en": "Differences"},
    "diff_none": {"fr": "Aucune différence.", "en": "No difference."},
    "export_yaml": {"fr": "Exporter (YAML)", "en": "Export (YAML)"},
    "import_yaml": {"fr": "Importer un fichier YAML", "en": "Import a YAML file"},
    "import": {"fr": "Importer", "en": "Import"},
    "m_published": {
        "fr": "Publié : le bot l'utilise d'ici quelques secondes.",
        "en": "Published: the bot uses it within a few seconds.",
    },
    "m_draft": {"fr": "Brouillon enregistré.", "en": "Draft saved."},
    "m_rolled_back": {
        "fr": "Version rétablie (publiée comme nouvelle version).",
        "en": "Version restored (published as a new version).",
    },
    "m_imported": {"fr": "{n} textes publiés.", "en": "{n} texts published."},
    "e_not_published": {
        "fr": "Rien n'a été publié :",
        "en": "Nothing was published:",
    },
    "dashboard": {"fr": "Tableau de bord", "en": "Dashboard"},
    "d_from": {"fr": "Du", "en": "From"},
    "d_to": {"fr": "Au", "en": "To"},
    "d_all": {"fr": "Tous", "en": "All"},
    "d_none": {"fr": "Sans programme", "en": "No programme"},
    "d_figures": {"fr": "Les chiffres de l'évaluation", "en": "The evaluation figures"},
    "d_figure": {"fr": "Chiffre", "en": "Figure"},
    "d_reference": {"fr": "Service de référence", "en": "Reference service"},
    "d_users": {"fr": "Utilisateurs", "en": "Users"},
    "d_explored": {"fr": "Ont exploré au moins un métier", "en": "Explored at least one career"},
    "d_trained": {
        "fr": "Ont ouvert les formations après avoir exploré",
        "en": "Opened training options after exploring",
    },
    "d_saved_per_user": {"fr": "Métiers enregistrés par utilisateur",
                         "en": "Careers saved per user"},
    "d_median_time": {"fr": "Durée médiane d'exploration (par session)",
                      "en": "Median time exploring (per session)"},
    "d_interested": {"fr": "Intéressés par le métier enregistré",
                     "en": "Interested in the saved career"},
    "d_ready": {"fr": "Prêts ou peut-être prêts à se former",
                "en": "Ready or maybe ready to train"},
    "d_coach": {"fr": "Ont demandé un conseiller", "en": "Asked for a coach"},
    "d_coach_nudge": {"fr": "Ont demandé un conseiller depuis un message de suivi",
                      "en": "Asked for a coach from a nudge"},
    "d_chart": {"fr": "Tremplin (bleu) et la référence (gris)",
                "en": "Tremplin (blue) and the reference (grey)"},
    "d_chart_hint": {"fr": "Barre fine grise : le service de référence.",
                     "en": "Thin grey bar: the reference service."},
    "d_nudges": {"fr": "Messages de suivi par étape et variante (utilisateurs distincts)",
                 "en": "Nudges per step and variant (distinct users)"},
    "d_handover": {"fr": "Mise en relation par programme", "en": "Hand-over per programme"},
    "e_import_size": {"fr": "Fichier trop grand.", "en": "The file is too large."},
    "never": {"fr": "jamais", "en": "never"},
    "none": {"fr": "—", "en": "—"},
}

ACTION_LABELS: dict[str, dict[str, str]] = {
    "view_transcript": {"fr": "a lu la conversation", "en": "viewed the transcript"},
    "reply": {"fr": "a répondu", "en": "replied"},
    "note": {"fr": "a ajouté une note", "en": "added a note"},
    "state": {"fr": "a changé l'état", "en": "changed the state"},
    "outcome": {"fr": "a changé le résultat", "en": "changed the outcome"},
    "close": {"fr": "a clôturé", "en": "closed"},
    "export": {"fr": "a exporté", "en": "exported"},
    "sign_in": {"fr": "s'est connecté", "en": "signed in"},
    "sign_out": {"fr": "s'est déconnecté", "en": "signed out"},
    "account_created": {"fr": "a créé un compte", "en": "created an account"},
    "account_disabled": {"fr": "a désactivé un compte", "en": "disabled an account"},
    "account_enabled": {"fr": "a réactivé un compte", "en": "enabled an account"},
    "password_reset": {"fr": "a changé un mot de passe", "en": "reset a password"},
    "text_draft": {"fr": "a enregistré un brouillon de texte", "en": "saved a text draft"},
    "text_published": {"fr": "a publié un texte", "en": "published a text"},
    "text_rolled_back": {"fr": "a rétabli un texte", "en": "rolled a text back"},
    "texts_exported": {"fr": "a exporté les textes", "en": "exported the texts"},
    "texts_imported": {"fr": "a importé des textes", "en": "imported texts"},
    "canned_added": {"fr": "a ajouté une réponse type", "en": "added a canned reply"},
    "canned_changed": {"fr": "a modifié une réponse type", "en": "changed a canned reply"},
    "canned_removed": {"fr": "a supprimé une réponse type", "en": "removed a canned reply"},
}


def text(key: str, lang: str, **values: object) -> str:
    """The label in `lang` (French when missing), with its values filled in."""
    entry = TEXTS.get(key) or {"fr": key}
    template = entry.get(lang) or entry["fr"]
    return template.format(**values) if values else template


def action_text(action: str, lang: str) -> str:
    """How the audit log names an action."""
    entry = ACTION_LABELS.get(action)
    return (entry.get(lang) or entry["fr"]) if entry else action
