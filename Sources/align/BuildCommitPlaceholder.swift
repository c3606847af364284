enum BuildCommit { static let hash = "unknown" }
