import Foundation

/// The demo's bundled events: valid contacts, duplicates of some of them, CloudEvents in both modes, and bad events
/// of every common kind. Each has the outcome the demo expects, so the final table can be checked at a glance.
struct DemoSample {
    var key: String?
    var value: String
    var headers: [(String, String)] = []
    var expected: String

    static func all() -> [DemoSample] {
        var samples: [DemoSample] = []
        let firstNames = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Niklaus"]
        let lastNames = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Perlman"]
        for index in 1...24 {
            let first = firstNames[index % firstNames.count]
            let last = lastNames[index % lastNames.count]
            let phones: String
            switch index % 4 {
            case 0: phones = #"[{"Number":"594-123-\#(1000 + index) ext. \#(index)","PhoneNumberID":1,"Type":1}]"#
            case 1:
                phones =
                    #"[{"Number":"305-555-\#(1000 + index)","PhoneNumberID":2,"Type":2},{"Number":" none","Type":3}]"#
            case 2:
                phones =
                    #"[{"Number":"594-200-\#(1000 + index)","Type":1},{"Number":"594-201-\#(1000 + index)","Type":3}]"#
            default: phones = "[]"
            }
            let value = #"""
                {"Contact":{"Salutation":"\#(index % 2 == 0 ? "Dr." : "")","FirstName":"\#(first)","LastName":"\#(last)",\#
                "Email":"\#(first.lowercased()).\#(last.lowercased())\#(index)@example.com","Title":"Buyer \#(index)",\#
                "PhoneNumbers":\#(phones)},"CustomerID":\#(index % 7 + 1),"IsPrimary":\#(index % 5 == 0)}
                """#
            samples.append(DemoSample(key: "contact-\(index)", value: value, expected: "created"))
        }
        // The same events again, as a retrying upstream would send them.
        for index in 1...6 {
            samples.append(
                DemoSample(key: samples[index - 1].key, value: samples[index - 1].value, expected: "duplicate"))
        }
        samples.append(
            DemoSample(
                key: "contact-ce-structured",
                value: #"""
                    {"specversion":"1.0","id":"ce-1","source":"rpm","type":"contact.created",\#
                    "datacontenttype":"application/json","data":{"Contact":{"FirstName":"Cloud","LastName":"Events",\#
                    "Email":"cloud@example.com"},"CustomerID":3}}
                    """#,
                headers: [("content-type", "application/cloudevents+json")], expected: "created"))
        samples.append(
            DemoSample(
                key: nil,
                value: #"{"Contact":{"FirstName":"Binary","LastName":"Mode"},"CustomerID":4}"#,
                headers: [
                    ("ce_specversion", "1.0"), ("ce_id", "ce-binary-1"), ("ce_source", "rpm"),
                    ("ce_type", "contact.created"), ("content-type", "application/json"),
                ],
                expected: "created"))
        let bad: [(String, String)] = [
            (#"{"Contact":{"FirstName":"Broken""#, "invalid_json"),
            (
                #"{"Contact":{"FirstName":"Nine","PhoneNumbers":[{"Number":"1","Type":9}]},"CustomerID":2}"#,
                "invalid_phone_type"
            ),
            (
                #"{"Contact":{"FirstName":"Five","PhoneNumbers":[{"Number":"1","Type":1},{"Number":"2","Type":1},"#
                    + #"{"Number":"3","Type":2},{"Number":"4","Type":3},{"Number":"5","Type":6}]},"CustomerID":2}"#,
                "too_many_phone_numbers"
            ),
            (#"{"Contact":{"FirstName":"  ","LastName":""},"CustomerID":2}"#, "empty_name"),
            (
                #"{"Contact":{"FirstName":"Long","Email":"a.very.long.address.that.komet.refuses@subdomain.example.com"},"CustomerID":2}"#,
                "email_too_long"
            ),
            (#"{"Contact":{"FirstName":"Nobody"}}"#, "missing_customer_id"),
            (#"{"Contact":{"FirstName":"Bad","Email":"not an email"},"CustomerID":2}"#, "invalid_email"),
            (#"{"Contact":{"FirstName":"Unknown","LastName":"Customer"},"CustomerID":999999}"#, "komet_rejected"),
        ]
        for (index, (value, reason)) in bad.enumerated() {
            samples.append(DemoSample(key: "bad-\(index + 1)", value: value, expected: reason))
        }
        return samples
    }
}
