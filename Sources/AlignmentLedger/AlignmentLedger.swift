import EventLog
import AlignmentDomain
import AlignmentProjections
public enum AlignmentLedgerService {}
