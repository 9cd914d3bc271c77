import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses an SVG with Foundation's XMLParser and records every element (name, attributes, text).
public final class SVGInspector: NSObject, XMLParserDelegate {
    public struct Element { public var name: String; public var attributes: [String: String]; public var text: String }
    public private(set) var elements: [Element] = []
    private var stack: [Int] = []
    public private(set) var error: Error?

    /// nil when the document is not well-formed XML.
    public static func parse(_ svg: String) -> SVGInspector? {
        let i = SVGInspector()
        let p = XMLParser(data: Data(svg.utf8))
        p.delegate = i
        guard p.parse(), i.error == nil else { return nil }
        return i
    }

    public func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append(Element(name: name, attributes: attributes, text: ""))
        stack.append(elements.count - 1)
    }
    public func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { stack.removeLast() }
    public func parser(_ parser: XMLParser, foundCharacters string: String) { if let i = stack.last { elements[i].text += string } }
    public func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }

    public func all(_ name: String, cls: String? = nil) -> [Element] {
        elements.filter { $0.name == name && (cls == nil || $0.attributes["class"] == cls) }
    }
    public var texts: [String] { all("text").map(\.text) }
}
