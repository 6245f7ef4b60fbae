"""The published guidance the rules follow (shared/reference/decision-guidance.md), cited by id."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    title: str
    url: str | None = None

    def cite(self) -> str:
        return f"{self.title} ({self.url})" if self.url else self.title


SOURCES: dict[str, Source] = {
    "openai-deprecations": Source(
        "OpenAI, Deprecations (notice of 2026-10-14: fine-tunes shut down with their base models)",
        "https://developers.openai.com/api/docs/deprecations",
    ),
    "openai-optimization": Source(
        "OpenAI, Model optimization guide", "https://platform.openai.com/docs/guides/model-optimization"
    ),
    "openai-accuracy": Source(
        "OpenAI, Optimizing LLM accuracy", "https://platform.openai.com/docs/guides/optimizing-llm-accuracy"
    ),
    "openai-structured-outputs": Source(
        "OpenAI, Structured outputs", "https://platform.openai.com/docs/guides/structured-outputs"
    ),
    "openai-sft": Source(
        "OpenAI, Supervised fine-tuning guide", "https://platform.openai.com/docs/guides/supervised-fine-tuning"
    ),
    "openai-dpo": Source(
        "OpenAI, Direct preference optimization guide",
        "https://platform.openai.com/docs/guides/direct-preference-optimization",
    ),
    "openai-rft": Source(
        "OpenAI, Reinforcement fine-tuning guide", "https://platform.openai.com/docs/guides/reinforcement-fine-tuning"
    ),
    "cookbook-techniques": Source("OpenAI Cookbook, Fine-tuning techniques: choosing between SFT, DPO and RFT"),
    "azure-when": Source("Azure AI Foundry, When to fine-tune"),
    "vertex-tuning": Source("Google Vertex AI, Tuning documentation"),
    "anthropic-retrieval": Source(
        "Anthropic, Introducing contextual retrieval (a knowledge base under 200,000 tokens can go whole into a "
        "cached prompt)",
        "https://www.anthropic.com/news/contextual-retrieval",
    ),
    "ovadia-2023": Source(
        "Ovadia et al. 2023, Fine-Tuning or Retrieval? Comparing Knowledge Injection in LLMs",
        "https://arxiv.org/abs/2312.05934",
    ),
    "gekhman-2024": Source(
        "Gekhman et al. 2024, Does Fine-Tuning LLMs on New Knowledge Encourage Hallucinations?",
        "https://arxiv.org/abs/2405.05904",
    ),
    "microsoft-agriculture-2024": Source(
        "Balaguer et al. (Microsoft) 2024, RAG vs Fine-tuning: Pipelines, Tradeoffs, and a Case Study on Agriculture",
        "https://arxiv.org/abs/2401.08406",
    ),
    "raft-2024": Source(
        "Zhang et al. 2024, RAFT: Adapting Language Model to Domain Specific RAG (training with the right passage "
        "and distractors: +35% on HotpotQA over the base model with RAG)",
        "https://arxiv.org/abs/2403.10131",
    ),
    "openai-distillation": Source(
        "OpenAI, Model distillation guide (fine-tune a smaller model on a larger model's outputs for cost and latency)",
        "https://platform.openai.com/docs/guides/distillation",
    ),
    "lora-land-2024": Source(
        "Zhao et al. 2024, LoRA Land: 310 Fine-tuned LLMs that Rival GPT-4 (LoRA-tuned small models beat their "
        "bases by 34 points and GPT-4 by 10 on 31 narrow tasks)",
        "https://arxiv.org/abs/2405.00732",
    ),
    "azure-foundry-data": Source(
        "Microsoft Foundry fine-tuning guidance (SFT 50-5,000 examples, DPO 500-5,000 pairs, RFT 200-2,000 prompts)"
    ),
    "openai-pricing": Source(
        "OpenAI pricing and deprecations (advisor's price tables)", "https://developers.openai.com/api/docs/pricing"
    ),
}


def cite(*ids: str) -> str:
    return "; ".join(SOURCES[source].cite() for source in ids)
