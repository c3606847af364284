import AlignmentDomain
import Foundation

/// Reads a Salesforce data export (or Data Loader / Bulk API extracts with the same headers) into import steps.
public enum SalesforceExport {
    /// Reads the CSV files of `directory` (names and headers matched case-insensitively): `Lead.csv` (required),
    /// and when present `User.csv`, `Opportunity.csv`, `Campaign.csv`, `CampaignMember.csv`, `LeadHistory.csv`,
    /// `Task.csv`, `Event.csv`. Streams every file row by row; holds a small record per lead and per dated fact.
    /// `progress` is called about every 50,000 rows.
    public static func read(directory: URL, mapping: CRMMapping, skipBadRows: Bool = false,
                            progress: (ReadProgress) -> Void = { _ in }) throws(CRMImportError) -> CRMReading {
        do {
            return try withoutActuallyEscaping(progress) { progress in
                try run(directory: directory, mapping: mapping, skipBadRows: skipBadRows, progress: progress, each: nil)
            }
        } catch let e as CRMImportError {
            throw e
        } catch {
            throw .missing("\(directory.path): \(error)")
        }
    }

    /// `read`, giving each step to `each` (lead by lead, each lead's in order) instead of keeping them all: memory
    /// holds the export's leads and dated facts, not its steps. Nothing reaches `each` unless the whole export was
    /// read and checked (a `CRMImportError` is thrown first); an error `each` throws ends the read and is rethrown.
    /// The reading's `steps` is empty.
    public static func stream(directory: URL, mapping: CRMMapping, skipBadRows: Bool = false,
                              progress: (ReadProgress) -> Void = { _ in }, each: (ImportStep) throws -> Void) throws -> CRMReading {
        try withoutActuallyEscaping(progress) { progress in
            try withoutActuallyEscaping(each) { each in
                try run(directory: directory, mapping: mapping, skipBadRows: skipBadRows, progress: progress, each: each)
            }
        }
    }

    static func run(directory: URL, mapping: CRMMapping, skipBadRows: Bool, progress: @escaping (ReadProgress) -> Void,
                    each: ((ImportStep) throws -> Void)?) throws -> CRMReading {
        try mapping.check()
        let folder = try ExportFolder(directory)
        guard let leadFile = folder.file("Lead.csv") else {
            throw CRMImportError.missing("\(directory.path) has no Lead.csv: export the Lead object (Id, CreatedDate, Status, OwnerId, LeadSource, Company, Industry, NumberOfEmployees, IsConverted, ConvertedDate, ConvertedOpportunityId)")
        }
        let names = ["User.csv", "Opportunity.csv", "Campaign.csv", "CampaignMember.csv", "LeadHistory.csv", "Task.csv", "Event.csv"]
        let files = Dictionary(uniqueKeysWithValues: names.map { ($0, folder.file($0)) })
        let total = ([leadFile] + files.values.compactMap { $0 }).reduce(Int64(0)) { $0 + fileSize($1) }
        let ctx = ReadContext(skipBadRows: skipBadRows, totalBytes: total, progress: progress)
        var reader = Reader(tables: MappingTables(mapping, crm: .salesforce), ctx: ctx)
        if let f = files["User.csv"] ?? nil { try reader.users(CSVTable(url: f)) }
        try reader.leads(CSVTable(url: leadFile))
        if let f = files["Opportunity.csv"] ?? nil { try reader.opportunities(CSVTable(url: f)) }
        if let f = files["Campaign.csv"] ?? nil { try reader.campaigns(CSVTable(url: f)) }
        if let f = files["CampaignMember.csv"] ?? nil { try reader.members(CSVTable(url: f)) }
        if let f = files["LeadHistory.csv"] ?? nil { try reader.history(CSVTable(url: f)) }
        if let f = files["Task.csv"] ?? nil { try reader.activities(CSVTable(url: f), kind: "Task") }
        if let f = files["Event.csv"] ?? nil { try reader.activities(CSVTable(url: f), kind: "Event") }
        reader.attachOpportunities()
        return try reader.timeline.finish(ctx, each: each)
    }

    /// The state of one read.
    struct Reader {
        let tables: MappingTables
        let ctx: ReadContext
        var timeline: Timeline
        /// User.csv: id → username, email, name.
        var userRows: [String: (username: String, email: String, name: String)] = [:]
        /// User names → id (to resolve owner changes the history writes as names).
        var userByName: [String: String] = [:]
        /// Opportunities the leads converted to → amount.
        var amounts: [String: Double] = [:]
        var wantedOpportunities: Set<String> = []

        init(tables: MappingTables, ctx: ReadContext) {
            self.tables = tables
            self.ctx = ctx
            timeline = Timeline(tables: tables, object: "Lead")
        }

        mutating func users(_ t: CSVTable) throws {
            let id = try t.require("Id")
            let username = t.column("Username"), email = t.column("Email"), name = t.column("Name")
            try ctx.each(t) { t in
                let row = (username: t.value(username), email: t.value(email), name: t.value(name))
                userRows[t.value(id)] = row
                if !row.name.isEmpty { userByName[row.name.lowercased()] = t.value(id) }
            }
        }

        /// The owner a Lead's OwnerId or a history value names, through `users` and User.csv.
        func owner(_ value: String, place: @autoclosure () -> String) -> OwnerRef {
            if let a = tables.user(value) { return .actor(a) }
            let id = userRows[value] != nil ? value : userByName[value.lowercased()]
            if let id, let u = userRows[id] {
                for key in [id, u.username, u.email, u.name] where !key.isEmpty {
                    if let a = tables.user(key) { return .actor(a) }
                }
            }
            return .unknown(raw: value, place: place())
        }

        /// Whether `s` looks like a Salesforce record id (15 or 18 letters and digits).
        static func isRecordID(_ s: String) -> Bool {
            (s.utf8.count == 15 || s.utf8.count == 18) && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) }
        }

        func date(_ t: CSVTable, _ col: Int?, _ what: String, required: Bool) throws -> Date? {
            let v = t.value(col)
            if v.isEmpty {
                if required { throw t.bad("\(what) is empty") }
                return nil
            }
            guard let d = CRMValue.date(v) else {
                throw t.bad("\(what) \(MappingTables.json(v)) is not a date (ISO 8601 such as 2026-03-02T14:05:00.000Z, 2026-03-02, or epoch milliseconds)")
            }
            return d
        }

        func bool(_ t: CSVTable, _ col: Int?, _ what: String) throws -> Bool {
            let v = t.value(col)
            guard let b = CRMValue.bool(v) else { throw t.bad("\(what) \(MappingTables.json(v)) is not true or false") }
            return b
        }

        /// The stage of a status value; an unmapped one is recorded with its place and the entry to add.
        func stage(_ value: String, _ t: CSVTable) -> CRMStage {
            if let s = tables.stage(value) { return s }
            ctx.unmapped("stage:" + value.lowercased(), "Lead Status \(MappingTables.json(value)) (\(t.name):\(t.line)): add \(MappingTables.stageEntry(value))")
            return .open
        }

        mutating func leads(_ t: CSVTable) throws {
            let id = try t.require("Id"), created = try t.require("CreatedDate"), status = try t.require("Status")
            let ownerCol = try t.require("OwnerId")
            for c in ["LeadSource", "Company", "Industry", "NumberOfEmployees"] { _ = try t.require(c) }
            let converted = try t.require("IsConverted"), convertedDate = try t.require("ConvertedDate")
            let opportunity = try t.require("ConvertedOpportunityId")
            let deleted = t.column("IsDeleted"), master = t.column("MasterRecordId"), modified = t.column("LastModifiedDate")
            var profileCols: [Int] = []
            for p in tables.profile {
                guard let c = t.column(p.column) else {
                    throw CRMImportError.missing("\(t.name) has no column '\(p.column)', which the mapping's \"profile\" reads as '\(p.field)'; export it, or map it to \"\" to leave it out")
                }
                profileCols.append(c)
            }
            let employees = t.column("NumberOfEmployees")
            try ctx.each(t) { t in
                let crmID = t.value(id)
                guard CRMValue.isID(crmID), CRMValue.isID(tables.leadID(crmID)) else {
                    throw t.bad("Id \(MappingTables.json(crmID)) is not a record id (or, with the lead prefix, longer than 100 characters)")
                }
                if try bool(t, deleted, "IsDeleted") {
                    ctx.notes.add("leads deleted in Salesforce (IsDeleted) were skipped", crmID)
                    return
                }
                if !t.value(master).isEmpty {
                    ctx.notes.add("leads merged into another (MasterRecordId) were skipped", "\(crmID) → \(t.value(master))")
                    return
                }
                guard let createdAt = try date(t, created, "CreatedDate", required: true) else { return }
                let modifiedAt = try date(t, modified, "LastModifiedDate", required: false)
                let isConverted = try bool(t, converted, "IsConverted")
                let convertedAt = try date(t, convertedDate, "ConvertedDate", required: false)
                let statusValue = t.value(status)
                if !t.value(employees).isEmpty, CRMValue.number(t.value(employees)) == nil {
                    throw t.bad("NumberOfEmployees \(MappingTables.json(t.value(employees))) is not a number")
                }
                let ownerValue = t.value(ownerCol)
                var profile: [String] = []
                profile.reserveCapacity(profileCols.count)
                for c in profileCols { profile.append(CRMValue.name(t.value(c))) }
                let opp = t.value(opportunity)
                let ownerNumber = timeline.owner(owner(ownerValue, place: "\(t.name):\(t.line)"))
                let record = LeadRecord(crmID: crmID, created: createdAt, owner: ownerNumber, profile: profile, opportunity: opp.isEmpty ? nil : opp)
                guard timeline.add(record) else {
                    ctx.notes.add("rows repeat a lead already read, and were passed over", "\(crmID) (\(t.name):\(t.line))")
                    return
                }
                guard let n = timeline.lead(crmID) else { return }
                if !opp.isEmpty { wantedOpportunities.insert(opp) }
                if !statusValue.isEmpty {
                    let s = stage(statusValue, t)
                    let at: Date = switch s {
                    case .open, .handoff: createdAt
                    case .accepted, .rejected: modifiedAt ?? createdAt
                    case .converted: convertedAt ?? modifiedAt ?? createdAt
                    }
                    timeline.stage(n, s, at: at, value: statusValue, reason: tables.reason(statusValue), origin: .snapshot, source: .lead)
                }
                if isConverted {
                    timeline.stage(n, .converted, at: convertedAt ?? modifiedAt ?? createdAt, value: statusValue, reason: nil, origin: .conversion,
                                   source: .lead)
                }
            }
        }

        mutating func opportunities(_ t: CSVTable) throws {
            let id = try t.require("Id"), amount = try t.require("Amount")
            try ctx.each(t) { t in
                let oid = t.value(id)
                guard wantedOpportunities.contains(oid) else { return }
                let v = t.value(amount)
                guard !v.isEmpty else { return }
                guard let a = CRMValue.number(v) else { throw t.bad("Amount \(MappingTables.json(v)) is not a number") }
                amounts[oid] = a
            }
        }

        mutating func attachOpportunities() {
            guard !amounts.isEmpty else { return }
            for i in timeline.leads.indices {
                if let o = timeline.leads[i].opportunity, let a = amounts[o] { timeline.update(Int32(i)) { $0.amount = a } }
            }
        }

        mutating func campaigns(_ t: CSVTable) throws {
            let id = try t.require("Id"), name = try t.require("Name")
            try ctx.each(t) { t in timeline.campaignNames[t.value(id)] = CRMValue.freeText(t.value(name)) }
        }

        mutating func members(_ t: CSVTable) throws {
            let campaign = try t.require("CampaignId"), lead = try t.require("LeadId")
            let status = t.column("Status"), responded = t.column("HasResponded")
            let firstResponded = t.column("FirstRespondedDate"), created = t.column("CreatedDate")
            try ctx.each(t) { t in
                guard let n = timeline.lead(t.value(lead)) else {
                    if !t.value(lead).isEmpty { ctx.notes.add("rows name a lead the export does not hold (merged, deleted or not exported), and were passed over", "\(t.name):\(t.line)") }
                    return
                }
                let hasResponded = try bool(t, responded, "HasResponded")
                let respondedAt = try date(t, firstResponded, "FirstRespondedDate", required: false)
                let createdAt = try date(t, created, "CreatedDate", required: false)
                let cid = t.value(campaign)
                let name = timeline.campaignNames[cid] ?? cid
                let memberStatus = t.value(status)
                if hasResponded, let at = respondedAt ?? createdAt {
                    timeline.update(n) { r in
                        if r.campaignAt == nil || at < (r.campaignAt ?? at) { r.campaign = cid; r.campaignAt = at }
                    }
                    if let s = tables.signal("CampaignMember", memberStatus) ?? tables.signal("CampaignMember", "Responded") {
                        timeline.signal(n, Signal(name: s, at: at, detail: name.isEmpty ? nil : name))
                    }
                } else if let s = tables.signal("CampaignMember", memberStatus), !memberStatus.isEmpty, let at = respondedAt ?? createdAt {
                    timeline.signal(n, Signal(name: s, at: at, detail: name.isEmpty ? nil : name))
                }
            }
        }

        mutating func history(_ t: CSVTable) throws {
            let id = try t.require("Id"), lead = try t.require("LeadId"), field = try t.require("Field")
            let old = try t.require("OldValue"), new = try t.require("NewValue"), created = try t.require("CreatedDate")
            try ctx.each(t) { t in
                let kind = t.value(field).lowercased()
                guard kind == "status" || kind == "owner" else { return }
                guard let n = timeline.lead(t.value(lead)) else {
                    ctx.notes.add("rows name a lead the export does not hold (merged, deleted or not exported), and were passed over", "\(t.name):\(t.line)")
                    return
                }
                guard let at = try date(t, created, "CreatedDate", required: true) else { return }
                let record = t.value(id)
                let oldValue = t.value(old), newValue = t.value(new)
                if kind == "status" {
                    guard !newValue.isEmpty else { return }
                    let s = stage(newValue, t)
                    timeline.stage(n, s, at: at, value: newValue, reason: tables.reason(newValue), origin: .history, source: .salesforceHistory,
                                   record: record)
                    if !oldValue.isEmpty {
                        let o = stage(oldValue, t), reason = tables.reason(oldValue), value = timeline.intern(oldValue)
                        timeline.update(n) { r in
                            if r.firstStatusChange == nil || at < (r.firstStatusChange ?? at) {
                                r.firstStatusChange = at; r.initialStage = o; r.initialValue = value; r.initialReason = reason
                            }
                        }
                    }
                } else {
                    // Salesforce writes each owner change twice: once with user ids, once with names. A name that
                    // resolves to no actor is the twin of an id row and is passed over.
                    let place = "\(t.name):\(t.line)"
                    let to = owner(newValue, place: place)
                    if case .unknown = to, !Self.isRecordID(newValue) { return }
                    guard !newValue.isEmpty else { return }
                    timeline.owner(n, timeline.owner(to), at: at, origin: .history, source: .salesforceHistory, record: record)
                    let from = owner(oldValue, place: place)
                    if !oldValue.isEmpty, !(from.isUnknown && !Self.isRecordID(oldValue)) {
                        let fromNumber = timeline.owner(from)
                        timeline.update(n) { r in
                            if r.firstOwnerChange == nil || at < (r.firstOwnerChange ?? at) { r.firstOwnerChange = at; r.initialOwner = fromNumber }
                        }
                    }
                }
            }
        }

        mutating func activities(_ t: CSVTable, kind: String) throws {
            let who = try t.require("WhoId"), type = try t.require("Type")
            let subject = t.column("Subject")
            let activityTime = t.column("ActivityDateTime"), activityDate = t.column("ActivityDate"), created = t.column("CreatedDate")
            guard activityTime != nil || activityDate != nil || created != nil else {
                throw CRMImportError.missing("\(t.name) has no date column: export ActivityDate or CreatedDate with it")
            }
            try ctx.each(t) { t in
                let typeValue = t.value(type)
                guard let name = tables.signal(kind, typeValue) else { return }
                guard let n = timeline.lead(t.value(who)) else { return }
                let at = try date(t, activityTime, "ActivityDateTime", required: false) ?? date(t, activityDate, "ActivityDate", required: false)
                    ?? date(t, created, "CreatedDate", required: true)
                guard let at else { return }
                let detail = CRMValue.freeText(t.value(subject))
                timeline.signal(n, Signal(name: name, at: at, detail: detail.isEmpty ? nil : detail))
            }
        }
    }
}

extension OwnerRef {
    var isUnknown: Bool { if case .unknown = self { true } else { false } }
}
