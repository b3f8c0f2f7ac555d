// The style gallery: a card per style (preview on the sample image, name, painting,
// artist, licence), click to add it to or remove it from the blend, "Import model…",
// "Add picture as style…" and pictures dropped on it (a picture card's menu removes it).
#pragma once

#include <QList>
#include <QStringList>
#include <QWidget>

#include "studio/studio_types.h"

class QGridLayout;
class QLabel;
class QMimeData;
class QScrollArea;

namespace stylize::ui {

class StyleCardButton;

class StyleGallery : public QWidget {
    Q_OBJECT
public:
    explicit StyleGallery(QWidget* parent = nullptr);

    // The first kShortcutStyles cards answer to a digit key, in keyboard order: 1-9, then 0
    // for the tenth. The main window binds the keys; each card's badge shows its digit.
    static constexpr int kShortcutStyles = 10;
    static int shortcutDigit(int number) { return number % 10; }  // number: 1-based position

    QStringList selectedIds() const;
    int cardCount() const { return int(cards_.size()); }
    // The style shown at position index (0-based), or empty.
    QString idAt(int index) const;

public slots:
    void setStyles(const QList<stylize::studio::StyleCard>& styles);
    void setSelectedIds(const QStringList& ids);
    // Keyboard 1-9 and 0 (the tenth): makes that style the only one selected.
    void selectOnly(int index);
    void toggle(int index);
    // Page Down / Page Up: the next (delta 1) or previous (-1) style alone, after the one
    // picked last, round the end of the gallery; reaches every card, the digits only ten.
    void selectNeighbour(int delta);
    // Scrolls the gallery to that style's card.
    void showCard(const QString& id);

    // Whether a drop carries pictures (local image files), and which.
    static QStringList droppedPictures(const QMimeData* mime);

signals:
    void selectionChanged(const QStringList& ids);
    void importRequested();
    void addPictureRequested();
    void picturesDropped(const QStringList& paths);
    void removePictureRequested(const QString& id);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void relayout();
    static void settleLayout();
    void emitSelection();

    QScrollArea* scroll_ = nullptr;
    QGridLayout* grid_ = nullptr;
    QLabel* empty_ = nullptr;
    QList<StyleCardButton*> cards_;
    QStringList order_;  // selection order, so the blend panel lists styles as picked
};

}  // namespace stylize::ui
