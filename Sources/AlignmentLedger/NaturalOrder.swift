/// The order people expect of ids that hold numbers: `L-2` before `L-11` (runs of digits compare as numbers, the rest
/// by Unicode scalars; of two equal numbers, the one written with more leading zeros sorts after, there and then).
enum NaturalOrder {
    static func less(_ a: String, _ b: String) -> Bool {
        var i = a.unicodeScalars.makeIterator(), j = b.unicodeScalars.makeIterator()
        var x = i.next(), y = j.next()
        while let p = x, let q = y {
            if p.properties.numericType == .decimal, q.properties.numericType == .decimal, p.isASCII, q.isASCII {
                var m: [Unicode.Scalar] = [], n: [Unicode.Scalar] = []
                while let c = x, c.isASCII, c.properties.numericType == .decimal { m.append(c); x = i.next() }
                while let c = y, c.isASCII, c.properties.numericType == .decimal { n.append(c); y = j.next() }
                let mt = m.drop { $0 == "0" }, nt = n.drop { $0 == "0" }
                if mt.count != nt.count { return mt.count < nt.count }
                if let k = zip(mt, nt).first(where: { $0 != $1 }) { return k.0.value < k.1.value }
                if m.count != n.count { return m.count < n.count }
                continue
            }
            if p != q { return p.value < q.value }
            x = i.next(); y = j.next()
        }
        return x == nil && y != nil
    }
}
