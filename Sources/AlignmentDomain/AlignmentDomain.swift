/// The alignment domain: pure commands, events, rules.
public enum AlignmentDomain {}
