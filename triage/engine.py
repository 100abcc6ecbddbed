"""The triage engine: one message in, a new state, actions and an assessment out. No I/O."""

from __future__ import annotations

from triage.analysis import analyse, detect_language
from triage.assessment import Assessment, assess_state, priority
from triage.config import TriageConfig
from triage.evidence import apply_findings
from triage.knowledge import Article
from triage.models import (
    Action,
    Decision,
    Escalate,
    MessageContext,
    OfferSelfHelp,
    SendCrisisContacts,
)
from triage.questions import apply_answer, build_question, next_questions
from triage.reasons import reason
from triage.state import TriageState
from triage.text import tokenize

CHANNEL_ALIASES = {"phone": "voice", "call": "voice", "mail": "email", "e-mail": "email"}
UNCLEAR_REASON = reason("unclear")


class TriageEngine:
    def __init__(self, config: TriageConfig) -> None:
        self.config = config

    def assess(self, state: TriageState, message: MessageContext) -> Decision:
        cfg = self.config
        st = state.copy()
        st.messages_seen += 1
        channel = CHANNEL_ALIASES.get(message.channel, message.channel)
        st.language = message.language or st.language or detect_language(cfg, message.text)
        if st.age is None and message.age is not None:
            st.age = message.age
        if message.prior_contacts_30d is not None:
            st.prior_contacts = max(st.prior_contacts or 0, message.prior_contacts_30d)
        answer = apply_answer(st, message.text, cfg)
        found = analyse(cfg, message.text)
        apply_findings(st, found, cfg)
        st.requested_human = st.requested_human or st.has("human_request")
        result = assess_state(st, cfg)
        wants_answer = found.is_question or answer == "factual"
        actions, result = self._act(st, result, channel, message.text, wants_answer)
        st.level, st.refer_to = result.level, result.refer_to
        st.urgent = st.urgent or result.urgent
        reasons = st.reasons + result.reasons
        if result.level is None:
            reasons.append(UNCLEAR_REASON)
        return Decision(st, actions, result.level or "brief", st.urgent, result.refer_to, reasons)

    def _act(
        self, st: TriageState, result: Assessment, channel: str, text: str, wants_answer: bool
    ) -> tuple[list[Action], Assessment]:
        cfg = self.config
        lang = st.language or "da"
        actions: list[Action] = []
        if result.level is None:
            qids = next_questions(st, cfg, channel)
            if qids:
                st.questions_asked = [*st.questions_asked, *qids]
                if channel == "email":
                    st.questions_asked.append("email_list")
                else:
                    st.pending_question = qids[0]
                return [build_question(cfg, qids, channel, lang)], result
            st.add_signal("unclear_after_questions")
            st.add_reason(reason("unclear_after_questions"))
            result = assess_state(st, cfg)
        if result.level == "self_help" and not result.urgent:
            article = self.best_article(text, lang) if wants_answer else None
            if article is not None:
                if article.id not in st.offered_articles:
                    st.offered_articles = [*st.offered_articles, article.id]
                actions.append(self._offer(article, lang))
            return actions, result
        st.pending_question = None
        escalate = self._escalation(st, result)
        if escalate is not None:
            actions.append(escalate)
        if result.urgent and not st.crisis_sent:
            st.crisis_sent = True
            actions.append(SendCrisisContacts(cfg.messages["crisis_contacts"][lang], lang))
        return actions, result

    def _escalation(self, st: TriageState, result: Assessment) -> Escalate | None:
        signature = {
            "level": result.level,
            "urgent": result.urgent,
            "refer_to": result.refer_to,
            "requested_human": st.requested_human,
        }
        if st.escalated == signature:
            return None
        st.escalated = signature
        return Escalate(
            level=result.level or "brief",
            priority=priority(st, result, self.config),
            urgent=result.urgent,
            refer_to=result.refer_to,
            reasons=st.reasons + result.reasons,
            requested_human=st.requested_human,
        )

    def _offer(self, article: Article, lang: str) -> OfferSelfHelp:
        offer = self.config.messages["self_help_offer"][lang]
        text = f"{article.title}\n\n{article.summary}\n\n{article.link}\n\n{offer}"
        return OfferSelfHelp(article.id, article.title, article.link, text, article.language)

    def best_article(self, text: str, lang: str) -> Article | None:
        """The article whose tags the message hits most, in the person's language."""
        cfg = self.config
        pool = [a for a in cfg.articles if a.language == lang] or list(cfg.articles)
        if not pool:
            return None
        concepts = [f"article:{a.id}" for a in pool]
        hits = cfg.lexicon.find(text, tokenize(text, cfg.rules), concepts)
        scores = {
            a.id: len({h.source for h in hits if h.concept == f"article:{a.id}"}) for a in pool
        }
        best = max(pool, key=lambda a: scores[a.id])
        if scores[best.id] > 0:
            return best
        fallback = [a for a in pool if "fallback" in a.tags]
        return (fallback or [best])[0]
