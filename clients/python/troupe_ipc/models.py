"""Plain data objects returned by the clients: pushes and discovery results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

__all__ = ["Push", "ProtocolVersion", "ActorInfo", "DiscoverResult"]


@dataclass(frozen=True)
class Push:
    """A notification the server pushed for a subscribed message type."""

    notification_id: str
    message_type: str
    payload: Any
    timestamp_ms: int
    source_actor: Optional[str] = None

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> "Push":
        """Build a push from a decoded push frame payload."""
        return cls(
            notification_id=str(data.get("notification_id", "")),
            message_type=str(data.get("message_type", "")),
            payload=data.get("payload"),
            timestamp_ms=int(data.get("timestamp_ms") or 0),
            source_actor=data.get("source_actor"),
        )


@dataclass(frozen=True)
class ProtocolVersion:
    """The protocol versions and capabilities the server announced."""

    current: int
    min_supported: int
    max_supported: int
    capabilities: Dict[str, bool] = field(default_factory=dict)

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> "ProtocolVersion":
        return cls(
            current=int(data.get("current", 0)),
            min_supported=int(data.get("min_supported", 0)),
            max_supported=int(data.get("max_supported", 0)),
            capabilities=dict(data.get("capabilities") or {}),
        )


@dataclass(frozen=True)
class ActorInfo:
    """One exposed actor and the message types it handles."""

    name: str
    message_types: List[str] = field(default_factory=list)


@dataclass(frozen=True)
class DiscoverResult:
    """The answer to :meth:`Client.discover`.

    ``actors`` and ``message_types`` are ``None`` when they were not asked for.
    ``raw`` is the decoded answer as the server sent it.
    """

    protocol_version: Optional[ProtocolVersion]
    actors: Optional[List[ActorInfo]]
    message_types: Optional[List[str]]
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def actor_names(self) -> List[str]:
        """Names of the exposed actors (empty when actors were not asked for)."""
        return [actor.name for actor in self.actors or []]

    def actor(self, name: str) -> Optional[ActorInfo]:
        """The actor called ``name``, or ``None``."""
        for actor in self.actors or []:
            if actor.name == name:
                return actor
        return None

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> "DiscoverResult":
        """Build a result from a decoded discover answer."""
        version = data.get("protocol_version")
        actors = data.get("actors")
        types = data.get("message_types")
        return cls(
            protocol_version=ProtocolVersion.from_wire(version) if isinstance(version, Mapping) else None,
            actors=None
            if actors is None
            else [
                ActorInfo(name=str(a.get("name", "")), message_types=list(a.get("message_types") or []))
                for a in actors
            ],
            message_types=None if types is None else list(types),
            raw=dict(data),
        )
