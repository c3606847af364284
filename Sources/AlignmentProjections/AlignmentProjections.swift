import AlignmentDomain
public enum AlignmentProjections {}
