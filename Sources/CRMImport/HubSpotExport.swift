import AlignmentDomain
import Foundation

/// Reads a HubSpot contacts export (property labels or internal names), with an optional property history file and
/// an optional Leads-object export, into import steps.
public enum HubSpotExport {
    /// The columns read from a contacts export: internal name → the labels and names HubSpot exports it under
    /// (matched case-insensitively).
    public static let aliases: [String: [String]] = [
        "hs_object_id": ["hs_object_id", "Record ID", "vid", "Contact ID"],
        "createdate": ["createdate", "Create Date"],
        "lastmodifieddate": ["lastmodifieddate", "Last Modified Date"],
        "lifecyclestage": ["lifecyclestage", "Lifecycle Stage"],
        "hs_lead_status": ["hs_lead_status", "Lead Status"],
        "hubspot_owner_id": ["hubspot_owner_id", "Contact owner", "HubSpot Owner"],
        "company": ["company", "Company Name"],
        "industry": ["industry", "Industry"],
        "numemployees": ["numemployees", "Number of Employees"],
        "hs_analytics_source": ["hs_analytics_source", "Original Source", "Original Traffic Source"],
        "marketingqualifiedlead": ["hs_lifecyclestage_marketingqualifiedlead_date", "hs_v2_date_entered_marketingqualifiedlead",
                                   "Became a Marketing Qualified Lead Date", "Date entered \"Marketing Qualified Lead (Lifecycle Stage Pipeline)\""],
        "salesqualifiedlead": ["hs_lifecyclestage_salesqualifiedlead_date", "hs_v2_date_entered_salesqualifiedlead",
                               "Became a Sales Qualified Lead Date", "Date entered \"Sales Qualified Lead (Lifecycle Stage Pipeline)\""],
        "opportunity": ["hs_lifecyclestage_opportunity_date", "hs_v2_date_entered_opportunity", "Became an Opportunity Date",
                        "Date entered \"Opportunity (Lifecycle Stage Pipeline)\""],
        "customer": ["hs_lifecyclestage_customer_date", "hs_v2_date_entered_customer", "Became a Customer Date",
                     "Date entered \"Customer (Lifecycle Stage Pipeline)\""],
        "num_conversion_events": ["num_conversion_events", "Number of Form Submissions"],
        "recent_conversion_event_name": ["recent_conversion_event_name", "Recent Conversion"],
        "recent_conversion_date": ["recent_conversion_date", "Recent Conversion Date"],
        "first_conversion_event_name": ["first_conversion_event_name", "First Conversion"],
        "first_conversion_date": ["first_conversion_date", "First Conversion Date"],
    ]

    /// The columns of a Leads-object export that name the lead's contact.
    public static let leadContactColumns = ["hs_associated_contact_id", "Associated Contact IDs", "Associated Contact ID",
                                            "associated_contact_id", "contact_id", "Contact ID", "Record ID - Contact"]
    /// The columns of a Leads-object export that hold the disqualification reason.
    public static let leadReasonColumns = ["hs_lead_disqualification_reason", "Disqualification Reason"]

    /// Reads a contacts export (`contacts`, required), a long-format property history (`history`: `record_id, property,
    /// value, timestamp[, source]`) and a Leads-object export (`leads`, for `hs_lead_disqualification_reason`).
    /// Streams every file row by row; `progress` is called about every 50,000 rows.
    public static func read(contacts: URL, history: URL? = nil, leads: URL? = nil, mapping: CRMMapping, skipBadRows: Bool = false,
                            progress: (ReadProgress) -> Void = { _ in }) throws(CRMImportError) -> CRMReading {
        do {
            return try withoutActuallyEscaping(progress) { progress in
                try run(contacts: contacts, history: history, leads: leads, mapping: mapping, skipBadRows: skipBadRows, progress: progress,
                        each: nil)
            }
        } catch let e as CRMImportError {
            throw e
        } catch {
            throw .missing("\(contacts.path): \(error)")
        }
    }

    /// `read`, giving each step to `each` (lead by lead, each lead's in order) instead of keeping them all; as
    /// `SalesforceExport.stream`.
    public static func stream(contacts: URL, history: URL? = nil, leads: URL? = nil, mapping: CRMMapping, skipBadRows: Bool = false,
                              progress: (ReadProgress) -> Void = { _ in }, each: (ImportStep) throws -> Void) throws -> CRMReading {
        try withoutActuallyEscaping(progress) { progress in
            try withoutActuallyEscaping(each) { each in
                try run(contacts: contacts, history: history, leads: leads, mapping: mapping, skipBadRows: skipBadRows, progress: progress,
                        each: each)
            }
        }
    }

    static func run(contacts: URL, history: URL?, leads: URL?, mapping: CRMMapping, skipBadRows: Bool,
                    progress: @escaping (ReadProgress) -> Void, each: ((ImportStep) throws -> Void)?) throws -> CRMReading {
        try mapping.check()
        let total = ([contacts] + [history, leads].compactMap { $0 }).reduce(Int64(0)) { $0 + fileSize($1) }
        let ctx = ReadContext(skipBadRows: skipBadRows, totalBytes: total, progress: progress)
        var reader = Reader(tables: MappingTables(mapping, crm: .hubspot), ctx: ctx)
        try reader.contacts(CSVTable(url: contacts))
        if let history { try reader.history(CSVTable(url: history)) }
        if let leads { try reader.leads(CSVTable(url: leads)) }
        return try reader.timeline.finish(ctx, each: each)
    }

    struct Reader {
        let tables: MappingTables
        let ctx: ReadContext
        var timeline: Timeline

        init(tables: MappingTables, ctx: ReadContext) {
            self.tables = tables
            self.ctx = ctx
            timeline = Timeline(tables: tables, object: "contact")
        }

        /// The column of an internal property name, through the alias table.
        func column(_ t: CSVTable, _ property: String) -> Int? {
            t.column(HubSpotExport.aliases[property] ?? [property])
        }

        func date(_ t: CSVTable, _ col: Int?, _ what: String) throws -> Date? {
            let v = t.value(col)
            guard !v.isEmpty else { return nil }
            guard let d = CRMValue.date(v) else {
                throw t.bad("\(what) \(MappingTables.json(v)) is not a date (ISO 8601 such as 2026-03-02T14:05:00Z, or epoch milliseconds)")
            }
            return d
        }

        func stage(_ value: String, _ property: String, _ t: CSVTable) -> CRMStage {
            if let s = tables.stage(value) { return s }
            let what = property == "hs_lead_status" ? "Lead Status" : "Lifecycle Stage"
            ctx.unmapped("stage:" + value.lowercased(), "\(what) \(MappingTables.json(value)) (\(t.name):\(t.line)): add \(MappingTables.stageEntry(value))")
            return .open
        }

        func owner(_ value: String, _ t: CSVTable) -> OwnerRef {
            if let a = tables.user(value) { return .actor(a) }
            return .unknown(raw: value, place: "\(t.name):\(t.line)")
        }

        static func rank(_ s: CRMStage) -> Int {
            switch s {
            case .open: 0
            case .handoff: 1
            case .accepted, .rejected: 2
            case .converted: 3
            }
        }

        mutating func contacts(_ t: CSVTable) throws {
            guard let id = column(t, "hs_object_id") else {
                throw CRMImportError.missing("\(t.name) has no 'Record ID' (or 'hs_object_id') column; its header is: \(t.headerAsWritten.joined(separator: ", "))")
            }
            guard let created = column(t, "createdate") else {
                throw CRMImportError.missing("\(t.name) has no 'Create Date' (or 'createdate') column; export it with the contacts")
            }
            let lifecycle = column(t, "lifecyclestage"), leadStatus = column(t, "hs_lead_status")
            guard lifecycle != nil || leadStatus != nil else {
                throw CRMImportError.missing("\(t.name) has neither 'Lifecycle Stage' (lifecyclestage) nor 'Lead Status' (hs_lead_status): export at least one")
            }
            let ownerCol = column(t, "hubspot_owner_id"), modified = column(t, "lastmodifieddate")
            let defaults = CRMMapping.defaultProfile(.hubspot)
            var profileCols: [Int?] = []
            for p in tables.profile {
                let c = column(t, p.column)
                if c == nil, defaults[p.column] == nil {
                    throw CRMImportError.missing("\(t.name) has no column '\(p.column)', which the mapping's \"profile\" reads as '\(p.field)'; export it, or map it to \"\" to leave it out")
                }
                profileCols.append(c)
            }
            let became: [(String, Int)] = ["marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer"].compactMap { p in
                column(t, p).map { (p, $0) }
            }
            var conversions: [(name: String, nameCol: Int, dateCol: Int)] = []
            for (event, date) in [("first_conversion_event_name", "first_conversion_date"), ("recent_conversion_event_name", "recent_conversion_date")] {
                if let s = tables.signal("hubspot", event), let n = column(t, event), let d = column(t, date) { conversions.append((s, n, d)) }
            }
            try ctx.each(t) { t in
                let crmID = t.value(id)
                guard CRMValue.isID(crmID), CRMValue.isID(tables.leadID(crmID)) else { throw t.bad("Record ID \(MappingTables.json(crmID)) is not a record id") }
                guard let createdAt = try date(t, created, "Create Date") else { throw t.bad("Create Date is empty") }
                let modifiedAt = try date(t, modified, "Last Modified Date")
                var dates: [(String, Date)] = []
                for (p, c) in became { if let d = try date(t, c, "the date it became \(p)") { dates.append((p, d)) } }
                var profile: [String] = []
                for c in profileCols { profile.append(CRMValue.name(t.value(c))) }
                let record = LeadRecord(crmID: crmID, created: createdAt, owner: timeline.owner(owner(t.value(ownerCol), t)), profile: profile)
                guard timeline.add(record), let n = timeline.lead(crmID) else {
                    ctx.notes.add("rows repeat a contact already read, and were passed over", "\(crmID) (\(t.name):\(t.line))")
                    return
                }
                var reached: Set<CRMStage> = []
                for (p, d) in dates {
                    let s = stage(p, "lifecyclestage", t)
                    reached.insert(s)
                    timeline.stage(n, s, at: d, value: p, reason: nil, origin: .snapshot, source: .lead)
                }
                // The current stage: the further of lifecycle stage and lead status (the lead status on a tie).
                var current: (CRMStage, String)?
                for c in [lifecycle, leadStatus] {
                    let v = t.value(c)
                    guard !v.isEmpty else { continue }
                    let s = stage(v, c == lifecycle ? "lifecyclestage" : "hs_lead_status", t)
                    if current == nil || Self.rank(s) >= Self.rank(current?.0 ?? .open) { current = (s, v) }
                }
                if let (s, v) = current, !reached.contains(s) {
                    let customer = dates.first { $0.0 == "customer" }?.1
                    let at: Date = switch s {
                    case .open, .handoff: createdAt
                    case .accepted, .rejected: modifiedAt ?? createdAt
                    case .converted: customer ?? modifiedAt ?? createdAt
                    }
                    timeline.stage(n, s, at: at, value: v, reason: tables.reason(v), origin: .snapshot, source: .lead)
                }
                for c in conversions {
                    let name = CRMValue.freeText(t.value(c.nameCol))
                    if let at = try date(t, c.dateCol, "the conversion date") {
                        timeline.signal(n, Signal(name: c.name, at: at, detail: name.isEmpty ? nil : name))
                    }
                }
            }
        }

        mutating func history(_ t: CSVTable) throws {
            let id = try t.require("record_id", "Record ID", "hs_object_id", "object_id", "vid")
            let property = try t.require("property"), value = try t.require("value"), timestamp = try t.require("timestamp")
            try ctx.each(t) { t in
                let prop = t.value(property).lowercased()
                let v = t.value(value)
                let signal = tables.signal("hubspot", prop)
                guard prop == "lifecyclestage" || prop == "hs_lead_status" || prop == "hubspot_owner_id" || signal != nil else { return }
                guard let n = timeline.lead(t.value(id)) else {
                    ctx.notes.add("rows name a contact the export does not hold, and were passed over", "\(t.name):\(t.line)")
                    return
                }
                guard let at = try date(t, timestamp, "timestamp") else { throw t.bad("timestamp is empty") }
                guard !v.isEmpty else { return }
                switch prop {
                case "lifecyclestage", "hs_lead_status":
                    timeline.stage(n, stage(v, prop, t), at: at, value: v, reason: tables.reason(v), origin: .history,
                                   source: prop == "lifecyclestage" ? .hubspotLifecycleStage : .hubspotLeadStatus)
                case "hubspot_owner_id":
                    timeline.owner(n, timeline.owner(owner(v, t)), at: at, origin: .history, source: .hubspotOwner)
                default:
                    if let signal {
                        let detail = CRMValue.freeText(v)
                        timeline.signal(n, Signal(name: signal, at: at, detail: detail.isEmpty ? nil : detail))
                    }
                }
            }
        }

        mutating func leads(_ t: CSVTable) throws {
            guard let contact = t.column(HubSpotExport.leadContactColumns) else {
                throw CRMImportError.missing("\(t.name) has no column naming the lead's contact: export 'hs_associated_contact_id' (or 'Associated Contact IDs')")
            }
            guard let reason = t.column(HubSpotExport.leadReasonColumns) else {
                throw CRMImportError.missing("\(t.name) has no 'hs_lead_disqualification_reason' column: export it with the leads")
            }
            try ctx.each(t) { t in
                let r = t.value(reason)
                guard !r.isEmpty else { return }
                let ids = t.value(contact).split(whereSeparator: { $0 == ";" || $0 == "," }).map { $0.trimmingCharacters(in: .whitespaces) }
                var found = false
                for cid in ids {
                    guard let n = timeline.lead(cid) else { continue }
                    found = true
                    let mapped = tables.reason(r)
                    timeline.update(n) { $0.rejection = mapped; $0.rejectionNote = r }
                }
                if !found { ctx.notes.add("leads name no contact the export holds, and were passed over", "\(t.name):\(t.line)") }
            }
        }
    }
}
