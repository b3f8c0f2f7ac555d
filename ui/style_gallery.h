// The style gallery: a card per style (preview on the sample image, name, painting,
// artist, licence), click to add it to or remove it from the blend, "Import model…".
#pragma once

#include <QList>
#include <QStringList>
#include <QWidget>

#include "studio/studio_types.h"

class QGridLayout;
class QLabel;

namespace stylize::ui {

class StyleCardButton;

class StyleGallery : public QWidget {
    Q_OBJECT
public:
    explicit StyleGallery(QWidget* parent = nullptr);

    QStringList selectedIds() const;
    int cardCount() const { return int(cards_.size()); }
    // The style shown at position index (0-based), or empty.
    QString idAt(int index) const;

public slots:
    void setStyles(const QList<stylize::studio::StyleCard>& styles);
    void setSelectedIds(const QStringList& ids);
    // Keyboard 1-9: makes that style the only one selected.
    void selectOnly(int index);
    void toggle(int index);

signals:
    void selectionChanged(const QStringList& ids);
    void importRequested();

private:
    void relayout();
    void emitSelection();

    QGridLayout* grid_ = nullptr;
    QLabel* empty_ = nullptr;
    QList<StyleCardButton*> cards_;
    QStringList order_;  // selection order, so the blend panel lists styles as picked
};

}  // namespace stylize::ui
