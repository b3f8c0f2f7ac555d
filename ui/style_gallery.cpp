// StyleGallery and its card buttons.
#include "style_gallery.h"

#include <functional>

#include <QAbstractButton>
#include <QCoreApplication>
#include <QContextMenuEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QMenu>
#include <QMimeData>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QTimer>
#include <QVBoxLayout>

namespace stylize::ui {

// Fills `target` with `image` scaled to cover it, centred, the overflow cropped.
static void drawCovering(QPainter& p, const QRect& target, const QImage& image)
{
    const QImage scaled = image.scaled(target.size(), Qt::KeepAspectRatioByExpanding, Qt::SmoothTransformation);
    p.drawImage(target, scaled,
                QRect(QPoint((scaled.width() - target.width()) / 2, (scaled.height() - target.height()) / 2),
                      target.size()));
}

// One card: a checkable button painted as preview + text.
class StyleCardButton : public QAbstractButton {
public:
    StyleCardButton(const stylize::studio::StyleCard& card, int number, QWidget* parent)
        : QAbstractButton(parent), card_(card), number_(number)
    {
        setCheckable(true);
        setFixedSize(196, 178);
        setCursor(Qt::PointingHandCursor);
        const QString keys = number <= StyleGallery::kShortcutStyles
                                 ? QObject::tr("Key %1: this style alone · Ctrl+%1: add it to the blend")
                                       .arg(StyleGallery::shortcutDigit(number))
                                 : QObject::tr("Page Down / Page Up: step to it");
        setToolTip(QStringLiteral("<b>%1</b><br>%2<br>%3 %4<br><small>%5 · %6</small><br><small>%7</small>")
                       .arg(card.name.toHtmlEscaped(), card.title.toHtmlEscaped(), card.artist.toHtmlEscaped(),
                            card.year.toHtmlEscaped(), card.license.toHtmlEscaped(), card.source.toHtmlEscaped(),
                            keys));
        setAccessibleName(card.name);
    }
    const stylize::studio::StyleCard& card() const { return card_; }

protected:
    void paintEvent(QPaintEvent*) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        const QRect r = rect().adjusted(2, 2, -2, -2);
        const QColor accent = palette().color(QPalette::Highlight);
        p.setPen(isChecked() ? QPen(accent, 3) : QPen(palette().color(QPalette::Mid), 1));
        p.setBrush(palette().color(underMouse() ? QPalette::Midlight : QPalette::Base));
        p.drawRoundedRect(r, 8, 8);
        const QRect preview(r.left() + 6, r.top() + 6, r.width() - 12, 108);
        // The render; until it is there, the painting; the painting also as a swatch.
        const QImage& main = card_.preview.isNull() ? card_.painting : card_.preview;
        if (!main.isNull()) {
            drawCovering(p, preview, main);
        } else {
            p.fillRect(preview, palette().color(QPalette::AlternateBase));
            p.setPen(palette().color(QPalette::PlaceholderText));
            p.drawText(preview, Qt::AlignCenter, QObject::tr("Rendering preview…"));
        }
        if (!card_.preview.isNull() && !card_.painting.isNull()) {
            const QRect inset(preview.right() - 49, preview.bottom() - 49, 46, 46);
            p.fillRect(inset, Qt::white);
            drawCovering(p, inset.adjusted(1, 1, -1, -1), card_.painting);
        }
        if (number_ <= StyleGallery::kShortcutStyles) {  // the keyboard shortcut's digit
            const QRect badge(preview.left() + 4, preview.top() + 4, 20, 20);
            p.setPen(Qt::NoPen);
            p.setBrush(QColor(0, 0, 0, 160));
            p.drawEllipse(badge);
            p.setPen(Qt::white);
            p.drawText(badge, Qt::AlignCenter, QString::number(StyleGallery::shortcutDigit(number_)));
        }
        if (isChecked()) {
            const QRect tick(preview.right() - 24, preview.top() + 4, 20, 20);
            p.setPen(Qt::NoPen);
            p.setBrush(accent);
            p.drawEllipse(tick);
            p.setPen(QPen(Qt::white, 2));
            p.drawLine(tick.left() + 5, tick.center().y(), tick.center().x() - 1, tick.bottom() - 6);
            p.drawLine(tick.center().x() - 1, tick.bottom() - 6, tick.right() - 5, tick.top() + 6);
        }
        QFont f = font();
        f.setBold(true);
        p.setFont(f);
        p.setPen(palette().color(QPalette::Text));
        const QRect text(r.left() + 8, preview.bottom() + 4, r.width() - 16, 20);
        p.drawText(text, Qt::AlignLeft | Qt::AlignVCenter, fontMetrics().elidedText(card_.name, Qt::ElideRight, text.width()));
        f.setBold(false);
        f.setPointSizeF(f.pointSizeF() * 0.85);
        p.setFont(f);
        p.setPen(palette().color(QPalette::PlaceholderText));
        const QFontMetrics small(f);
        QString line1 = card_.title.isEmpty() ? card_.modelPath.section('/', -1) : card_.title;
        QString line2 = card_.artist;
        if (!card_.year.isEmpty())
            line2 += (line2.isEmpty() ? "" : ", ") + card_.year;
        if (!card_.license.isEmpty())
            line2 += (line2.isEmpty() ? "" : " · ") + card_.license;
        if (card_.picture)  // the user's own picture: which file it is
            line2 = QFileInfo(card_.source).fileName();
        p.drawText(QRect(text.left(), text.bottom() + 1, text.width(), 16), Qt::AlignLeft | Qt::AlignVCenter,
                   small.elidedText(line1, Qt::ElideRight, text.width()));
        p.drawText(QRect(text.left(), text.bottom() + 17, text.width(), 16), Qt::AlignLeft | Qt::AlignVCenter,
                   small.elidedText(line2, Qt::ElideRight, text.width()));
    }
    void contextMenuEvent(QContextMenuEvent* event) override
    {
        if (!card_.picture)
            return;
        QMenu menu(this);
        const QAction* remove = menu.addAction(QObject::tr("Remove this picture style"));
        if (menu.exec(event->globalPos()) == remove && onRemove)
            onRemove(card_.id);
    }
    void enterEvent(QEnterEvent*) override { update(); }

public:
    std::function<void(const QString& id)> onRemove;
    void leaveEvent(QEvent*) override { update(); }

private:
    stylize::studio::StyleCard card_;
    int number_;
};

StyleGallery::StyleGallery(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    setAcceptDrops(true);  // pictures dropped here become styles
    auto* title = new QLabel(tr("<b>Styles</b> — click to add to the blend; drop a picture to paint with it"), this);
    layout->addWidget(title);
    auto* scroll = scroll_ = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* content = new QWidget(scroll);
    grid_ = new QGridLayout(content);
    grid_->setSpacing(8);
    grid_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    empty_ = new QLabel(tr("No styles yet. Import a model: an ONNX file, an Engstrom/ml5 checkpoint folder, "
                           "a Stylize style pack, or Magenta's arbitrary-style model to paint with your own "
                           "pictures."),
                        content);
    empty_->setWordWrap(true);
    grid_->addWidget(empty_, 0, 0, 1, 2);
    scroll->setWidget(content);
    layout->addWidget(scroll, 1);
    auto* buttons = new QHBoxLayout;
    auto* import = new QPushButton(tr("Import model…"), this);
    import->setToolTip(tr("Add the styles of an ONNX model, an Engstrom/ml5 folder, a .stylepack, or Magenta's "
                          "arbitrary-style model (its .tflite files)"));
    connect(import, &QPushButton::clicked, this, &StyleGallery::importRequested);
    auto* picture = new QPushButton(tr("Add picture as style…"), this);
    picture->setObjectName("addPictureButton");
    picture->setToolTip(tr("Paint with any picture: a painting, a photo, a texture (Magenta's arbitrary-style "
                           "model). You can also drop pictures on the gallery."));
    connect(picture, &QPushButton::clicked, this, &StyleGallery::addPictureRequested);
    buttons->addWidget(import);
    buttons->addWidget(picture);
    layout->addLayout(buttons);
    setMinimumWidth(2 * 196 + 40);
}

void StyleGallery::setStyles(const QList<stylize::studio::StyleCard>& styles)
{
    const QStringList selected = order_;
    // New cards (previews rendered, a style added) keep the gallery where the user scrolled it.
    const int scrolled = scroll_->verticalScrollBar()->value();
    QTimer::singleShot(0, this, [this, scrolled] {
        settleLayout();
        scroll_->verticalScrollBar()->setValue(scrolled);
    });
    for (StyleCardButton* card : cards_)
        card->deleteLater();
    cards_.clear();
    int number = 1;
    for (const auto& style : styles) {
        auto* card = new StyleCardButton(style, number++, grid_->parentWidget());
        card->onRemove = [this](const QString& id) { emit removePictureRequested(id); };
        card->setChecked(selected.contains(style.id));
        connect(card, &QAbstractButton::toggled, this, [this, card](bool on) {
            order_.removeAll(card->card().id);
            if (on)
                order_.append(card->card().id);
            emitSelection();
        });
        cards_.append(card);
    }
    order_.clear();
    for (const QString& id : selected)
        for (StyleCardButton* card : cards_)
            if (card->card().id == id)
                order_.append(id);
    empty_->setVisible(cards_.isEmpty());
    relayout();
}

void StyleGallery::relayout()
{
    for (int i = 0; i < cards_.size(); ++i)
        grid_->addWidget(cards_[i], i / 2, i % 2);
}

QStringList StyleGallery::selectedIds() const { return order_; }

QString StyleGallery::idAt(int index) const
{
    return index >= 0 && index < cards_.size() ? cards_[index]->card().id : QString();
}

void StyleGallery::setSelectedIds(const QStringList& ids)
{
    order_.clear();
    for (StyleCardButton* card : cards_) {
        QSignalBlocker block(card);
        card->setChecked(ids.contains(card->card().id));
    }
    for (const QString& id : ids)
        for (StyleCardButton* card : cards_)
            if (card->card().id == id)
                order_.append(id);
    if (!order_.isEmpty())
        showCard(order_.first());  // e.g. a picture just added, at the end of a long gallery
    emitSelection();
}

// New cards' positions and the scroll range now, not at the next layout pass: the grid's
// layout request, then the scroll area's for its grown content.
void StyleGallery::settleLayout()
{
    for (int pass = 0; pass < 2; ++pass)
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
}

void StyleGallery::showCard(const QString& id)
{
    // Once the layout has placed new cards.
    QTimer::singleShot(0, this, [this, id] {
        settleLayout();
        for (StyleCardButton* card : cards_)
            if (card->card().id == id)
                scroll_->ensureWidgetVisible(card, 8, 8);
    });
}

void StyleGallery::selectOnly(int index)
{
    const QString id = idAt(index);
    if (!id.isEmpty())
        setSelectedIds({id});
}

void StyleGallery::toggle(int index)
{
    if (index >= 0 && index < cards_.size())
        cards_[index]->toggle();  // like a click: adds the style to the blend or removes it
}

void StyleGallery::selectNeighbour(int delta)
{
    const int n = int(cards_.size());
    if (n == 0)
        return;
    int current = -1;
    if (!order_.isEmpty())
        for (int i = 0; i < n; ++i)
            if (cards_[i]->card().id == order_.last())
                current = i;
    // With nothing picked, Page Down starts at the first style and Page Up at the last.
    const int next = current < 0 ? (delta > 0 ? 0 : n - 1) : ((current + delta) % n + n) % n;
    selectOnly(next);
}

void StyleGallery::emitSelection() { emit selectionChanged(order_); }

QStringList StyleGallery::droppedPictures(const QMimeData* mime)
{
    QStringList pictures;
    if (!mime || !mime->hasUrls())
        return pictures;
    const QList<QByteArray> formats = QImageReader::supportedImageFormats();
    for (const QUrl& url : mime->urls()) {
        const QFileInfo file(url.toLocalFile());
        if (url.isLocalFile() && file.isFile() && formats.contains(file.suffix().toLower().toLatin1()))
            pictures.append(file.absoluteFilePath());
    }
    return pictures;
}

void StyleGallery::dragEnterEvent(QDragEnterEvent* event)
{
    if (!droppedPictures(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void StyleGallery::dropEvent(QDropEvent* event)
{
    const QStringList pictures = droppedPictures(event->mimeData());
    if (pictures.isEmpty())
        return;
    event->acceptProposedAction();
    emit picturesDropped(pictures);
}

}  // namespace stylize::ui
